#!/usr/bin/env node
// The installed `kizuna` command. Kizuna's sources are TypeScript run through Node 22's type
// stripping; when an older system Node starts this file (`npx kizuna` on Node 20), it re-runs
// itself under the Node 22 that ./kizuna or scripts/ensure-node.sh bootstrapped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);

/** `clv subscriptions` without a file reads the database (src/analytics/capability.ts, same rule). */
function clvReadsDatabase(args) {
  return (
    args[0] === 'subscriptions' &&
    !args.some((a) => a === '--subscriptions' || a.startsWith('--subscriptions='))
  );
}
if (major < 22) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const node22 = join(root, '.tools', 'node22', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(node22)) {
    console.error(
      `kizuna needs Node 22 or newer (this is ${process.version}). Run ./kizuna once from the repository root to install it.`,
    );
    process.exit(1);
  }
  const result = spawnSync(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
} else if (process.argv[2] === 'clv' && !clvReadsDatabase(process.argv.slice(3))) {
  // `kizuna clv` straight to the CLV package's prebuilt bundle (plain JavaScript, no type
  // stripping at start-up) when it is current; see packages/clv/prebuilt.js.
  // A fit runs each of its hot loops in one call per process; with feedback vectors allocated
  // from a function's first call, V8 compiles those loops with feedback for the code after them
  // (see fastGroupSums in packages/clv/src/bg-kernel.ts), instead of bailing out there each call.
  (await import('node:v8')).setFlagsFromString('--no-lazy-feedback-allocation');
  const { loadClvCli } = await import('@kizuna/clv/prebuilt');
  const { runClvCli } = await loadClvCli();
  process.exitCode = await runClvCli(process.argv.slice(3));
} else {
  await import('../src/cli.ts');
}
