/**
 * CLV benchmark: `kizuna clv fit --model bgnbd,gg --json` as users run it (the installed bin, one
 * whole process: start-up, parse, both fits, standard errors) on seeded simulated day-level
 * summaries, written in two forms: t_x and T in whole days, and in weeks to six decimals (day
 * counts ÷ 7, as lifetimes users often export them). Beside it, in the same run and alternating
 * with it run by run, the per-row baseline (`baseline.ts`: the same load and two fits, customer by
 * customer, as lifetimes computes them) and, with --old, another build of the bin.
 *
 *   node bench/clv/bench.ts [--runs 10] [--baseline-runs 3] [--sizes 1000000] [--forms day,week]
 *     [--old OTHER/apps/server/bin/kizuna.js]
 *
 * Writes its CSVs under /tmp. Prints the load average before and after each series: on a shared
 * machine the wall-clock figures only mean something next to it, and only against each other.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { simulate, summaryCsv } from './simulate.ts';

const root = join(import.meta.dirname, '..', '..');
const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const RUNS = Number(flag('--runs', '10'));
const BASELINE_RUNS = Number(flag('--baseline-runs', '3'));
const SIZES = flag('--sizes', '1000000').split(',').map(Number);
const FORMS = flag('--forms', 'day,week').split(',') as ('day' | 'week')[];
const OLD = flag('--old', '');

interface Run {
  seconds: number;
  rssMB: number;
  stdout: string;
}

/** One whole process under /usr/bin/time: wall-clock seconds and peak RSS (`%M`). */
function timed(cmd: string, args: string[]): Run {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const rssMB = Number(r.stderr.trim().split('\n').at(-1)) / 1024;
  return { seconds, rssMB, stdout: r.stdout };
}

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
const median = (a: number[]) => {
  const b = [...a].sort((x, y) => x - y);
  return (b[(b.length - 1) >> 1]! + b[b.length >> 1]!) / 2;
};
const stats = (runs: Run[]) => {
  const s = runs.map((r) => r.seconds);
  return {
    median: median(s),
    best: Math.min(...s),
    mean: s.reduce((p, q) => p + q, 0) / s.length,
    rss: Math.max(...runs.map((r) => r.rssMB)),
  };
};
const show = (name: string, runs: Run[]) => {
  const s = stats(runs);
  return `  ${name.padEnd(34)} ${runs.length} runs: median ${s.median.toFixed(3)} s, best ${s.best.toFixed(3)} s, mean ${s.mean.toFixed(3)} s, peak RSS ${s.rss.toFixed(0)} MB`;
};

/** The commands of one series, by name. */
function commands(file: string): Record<string, [string, string[]]> {
  const fit = ['clv', 'fit', '--summary', file, '--model', 'bgnbd,gg', '--json'];
  const out: Record<string, [string, string[]]> = {
    bin: [join(root, 'node_modules', '.bin', 'kizuna'), fit],
    baseline: [process.execPath, [join(import.meta.dirname, 'run.ts'), 'baseline-fit', file]],
  };
  if (OLD) out.old = [process.execPath, [OLD, ...fit]];
  return out;
}

/** Largest relative difference between the bin's parameters and the baseline's. */
function paramDiff(bin: string, baseline: string): number {
  const [bg, gg] = JSON.parse(bin) as { params: Record<string, number> }[];
  const b = JSON.parse(baseline) as { bgnbd: Record<string, number>; gg: Record<string, number> };
  const diffs = [
    ...Object.keys(b.bgnbd).map((k) => Math.abs(bg!.params[k]! / b.bgnbd[k]! - 1)),
    ...Object.keys(b.gg).map((k) => Math.abs(gg!.params[k]! / b.gg[k]! - 1)),
  ];
  return Math.max(...diffs);
}

function series(n: number, form: 'day' | 'week', file: string): void {
  const cmds = commands(file);
  const names = Object.keys(cmds);
  const runs: Record<string, Run[]> = Object.fromEntries(names.map((k) => [k, []]));
  console.log(`\n${n.toLocaleString('en')} customers, t_x and T in ${form}s (${file})`);
  console.log(`  load average at the start: ${load()} (${new Date().toISOString()})`);
  // One unmeasured run of the bins (page cache, bundle); then RUNS rounds, each running every
  // command once in an order that rotates, the baseline in BASELINE_RUNS of them spread out.
  for (const k of names) if (k !== 'baseline') timed(...cmds[k]!);
  const every = Math.max(1, Math.floor(RUNS / Math.max(1, BASELINE_RUNS)));
  for (let i = 0; i < RUNS; i++) {
    const round = names.filter(
      (k) => k !== 'baseline' || (i % every === 0 && runs.baseline!.length < BASELINE_RUNS),
    );
    const shift = i % round.length;
    for (const k of [...round.slice(shift), ...round.slice(0, shift)]) runs[k]!.push(timed(...cmds[k]!));
  }
  for (const k of names) console.log(show(k === 'bin' ? 'kizuna clv fit --model bgnbd,gg' : k, runs[k]!));
  const bin = stats(runs.bin!);
  const base = stats(runs.baseline!);
  console.log(
    `  speed-up over the per-row baseline (medians): ${(base.median / bin.median).toFixed(1)}x; largest relative parameter difference ${paramDiff(runs.bin![0]!.stdout, runs.baseline![0]!.stdout).toExponential(1)}`,
  );
  if (runs.old) {
    const old = stats(runs.old);
    console.log(`  old / new (medians): ${(old.median / bin.median).toFixed(2)}`);
    const same = runs.old[0]!.stdout === runs.bin![0]!.stdout;
    console.log(`  old and new print ${same ? 'the same JSON, byte for byte' : 'different JSON'}`);
  }
  console.log(`  load average at the end: ${load()}`);
}

// What users run: `./kizuna` rebuilds the clv bundle when a source is newer; so does this.
const build = spawnSync(
  process.execPath,
  [join(root, 'packages', 'clv', 'build', 'build-cli.js'), '--if-stale'],
  {
    stdio: 'inherit',
  },
);
if (build.status !== 0) throw new Error('could not build the clv bundle');
console.log(`node ${process.version}, ${RUNS} runs of each bin, ${BASELINE_RUNS} of the baseline per series`);
for (const n of SIZES) {
  const s = simulate(n);
  for (const form of FORMS) {
    const file = `/tmp/clv-bench-${n}${form === 'week' ? '-weeks' : ''}.csv`;
    writeFileSync(file, summaryCsv(s, form));
    series(n, form, file);
  }
}
