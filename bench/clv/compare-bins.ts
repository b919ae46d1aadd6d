/**
 * Two builds of `kizuna clv fit` against each other, run by run: each pair runs both commands,
 * alternating which goes first, so that a machine whose speed drifts (a shared VM) weighs on both
 * alike. Prints the median, best and mean of each and the ratio of the medians.
 *
 *   node bench/clv/compare-bins.ts --old OLD/apps/server/bin/kizuna.js [--new BIN] \
 *     [--file /tmp/clv-bench-1000000.csv] [--model bgnbd,gg] [--pairs 20]
 *
 * OLD is another checkout's bin (e.g. `git worktree add /tmp/old <commit>` with its npm install, or a
 * `git archive` of it whose node_modules links to this one's but with its own @kizuna/* packages).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(name);
  if (i >= 0 && argv[i + 1] !== undefined) return argv[i + 1]!;
  if (fallback === undefined) throw new Error(`${name} is required`);
  return fallback;
};
const root = join(import.meta.dirname, '..', '..');
const file = flag('--file', '/tmp/clv-bench-1000000.csv');
const model = flag('--model', 'bgnbd,gg');
const pairs = Number(flag('--pairs', '20'));
const bins = { old: flag('--old'), new: flag('--new', join(root, 'apps', 'server', 'bin', 'kizuna.js')) };
type Side = keyof typeof bins;
const args = (side: Side) => [bins[side], 'clv', 'fit', '--summary', file, '--model', model, '--json'];
const times: Record<Side, number[]> = { old: [], new: [] };

const run = (side: Side) => {
  const start = performance.now();
  const r = spawnSync(process.execPath, args(side), { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${side} failed: ${r.stderr}`);
  return { ms: performance.now() - start, out: r.stdout };
};
// One unmeasured run each (page cache, bundle); the two must print the same parameters.
const params = (out: string) => JSON.stringify([JSON.parse(out)].flat().map((f) => f.params));
if (params(run('old').out) !== params(run('new').out))
  console.log('note: the two print different parameters');
for (let i = 0; i < pairs; i++) {
  for (const side of (i % 2 ? ['old', 'new'] : ['new', 'old']) as Side[]) times[side].push(run(side).ms);
}
const median = (a: number[]) => {
  const b = [...a].sort((x, y) => x - y);
  return (b[(b.length - 1) >> 1]! + b[b.length >> 1]!) / 2;
};
for (const side of ['old', 'new'] as Side[]) {
  const t = times[side];
  const mean = t.reduce((p, q) => p + q, 0) / t.length;
  console.log(
    `${side}: median ${median(t).toFixed(0)} ms, best ${Math.min(...t).toFixed(0)} ms, mean ${mean.toFixed(0)} ms (${bins[side]})`,
  );
}
console.log(`ratio of the medians (old / new): ${(median(times.old) / median(times.new)).toFixed(2)}`);
