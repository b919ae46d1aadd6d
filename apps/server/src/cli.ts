// `kizuna` command dispatcher. Each subcommand lives with its capability; this file only routes.
const [command = 'start', ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  switch (command) {
    case 'clv': {
      const { runClvCli } = await import('@kizuna/clv/cli');
      return runClvCli(rest);
    }
    case 'line-sandbox': {
      const { runLineSandboxCli } = await import('@kizuna/line-sandbox/cli');
      return runLineSandboxCli(rest);
    }
    default:
      console.error(
        `kizuna: unknown command "${command}". Try: start, demo, init, migrate, import, clv, line-sandbox`,
      );
      return 2;
  }
}

process.exitCode = await main();
