// `kizuna` command dispatcher. Each subcommand is declared by its capability (capabilities/);
// this file only routes. `start` runs the whole server, so it belongs to no one capability.
import type { CliContext } from './capabilities/capability.ts';
import { CAPABILITIES } from './capabilities/index.ts';
import { ConfigError } from './config.ts';

const COMMANDS = CAPABILITIES.flatMap((c) => c.cli ?? []);

const CONTEXT: CliContext = {
  jobs: async () => (await import('./jobs/registry.ts')).JOBS,
};

const USAGE = [
  'kizuna <command>',
  '',
  '  start [--demo]          run the API and the job worker (embedded database unless DATABASE_URL)',
  ...COMMANDS.map((c) => `  ${c.usage}`),
].join('\n');

const [command = 'start', ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  if (command === 'start') return (await import('./start.ts')).runStart(rest);
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  const found = COMMANDS.find((c) => c.command === command);
  if (found) return found.run(rest, CONTEXT);
  console.error(`kizuna: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

try {
  process.exitCode = await main();
} catch (error) {
  // A bad environment value is the operator's to fix: one line naming the variable, no stack.
  if (!(error instanceof ConfigError)) throw error;
  console.error(`kizuna: environment variable ${error.message}`);
  process.exitCode = 1;
}
