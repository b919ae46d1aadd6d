/**
 * CLV engine benchmark: BG/NBD + Gamma-Gamma fit and predictions for every customer, on seeded
 * simulated day-level data at 100k and 1M customers, against the per-row baseline measured in
 * the same run, plus the installed `kizuna clv fit` bin as whole processes.
 *
 *   node bench/clv/bench.ts [--runs N] [--sizes 100000,1000000]   (writes its CSVs under /tmp)
 *
 * Prints the load average before and after: on a shared machine the wall-clock figures only mean
 * something next to it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { simulate, summaryCsv } from './simulate.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'node_modules', '.bin', 'kizuna');
const LIFETIMES_1M_SECONDS = 17.5; // issue 3: load + BG/NBD + Gamma-Gamma fit, measured on this machine

function timed(cmd: string, args: string[]) {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const rssMB = Number(r.stderr.trim().split('\n').at(-1)) / 1024;
  return { seconds, rssMB, stdout: r.stdout };
}

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) =>
  argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback;
const RUNS = Number(flag('--runs', '10'));
const SIZES = flag('--sizes', '100000,1000000').split(',').map(Number);
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
console.log(`load average at the start: ${load()} (${new Date().toISOString()})`);

for (const n of SIZES) {
  const file = `/tmp/clv-bench-${n}.csv`;
  writeFileSync(file, summaryCsv(simulate(n)));
  const engine = timed(process.execPath, [join(import.meta.dirname, 'run.ts'), 'engine', file]);
  const baseline = timed(process.execPath, [join(import.meta.dirname, 'run.ts'), 'baseline', file]);
  const e = JSON.parse(engine.stdout);
  const b = JSON.parse(baseline.stdout);
  const diff = Math.max(
    ...Object.keys(e.bgnbd).map((k) => Math.abs(e.bgnbd[k] / b.bgnbd[k] - 1)),
    ...Object.keys(e.gg).map((k) => Math.abs(e.gg[k] / b.gg[k] - 1)),
  );
  console.log(`\n${n.toLocaleString('en')} customers (${file})`);
  console.log(
    `  engine   in-process ${e.seconds.toFixed(2)} s, process ${engine.seconds.toFixed(2)} s, peak RSS ${engine.rssMB.toFixed(0)} MB`,
  );
  console.log(
    `  baseline in-process ${b.seconds.toFixed(2)} s, process ${baseline.seconds.toFixed(2)} s, peak RSS ${baseline.rssMB.toFixed(0)} MB`,
  );
  console.log(
    `  speed-up over the per-row baseline ${(b.seconds / e.seconds).toFixed(1)}x; largest relative parameter difference ${diff.toExponential(1)}`,
  );
  console.log(`  engine params ${JSON.stringify(e.bgnbd)} ${JSON.stringify(e.gg)}`);
  // The bin as users run it, each a whole process; RUNS runs each (after one unmeasured run, so
  // the file is in the page cache): best, median and mean.
  const binBest: Record<string, number> = {};
  const binMedian: Record<string, number> = {};
  for (const model of ['bgnbd', 'gg', 'bgnbd,gg']) {
    const args = ['clv', 'fit', '--summary', file, '--model', model, '--json'];
    timed(bin, args);
    const runs = Array.from({ length: RUNS }, () => timed(bin, args));
    const secs = runs.map((r) => r.seconds).sort((a, b) => a - b);
    binBest[model] = secs[0]!;
    const median = (secs[(RUNS - 1) >> 1]! + secs[RUNS >> 1]!) / 2;
    const mean = secs.reduce((a, b) => a + b, 0) / RUNS;
    binMedian[model] = median;
    console.log(
      `  kizuna clv fit --model ${model} --json (${RUNS} runs): best ${secs[0]!.toFixed(3)} s, median ${median.toFixed(3)} s, mean ${mean.toFixed(3)} s, peak RSS ${Math.max(...runs.map((r) => r.rssMB)).toFixed(0)} MB`,
    );
  }
  const sum = binBest.bgnbd! + binBest.gg!;
  const sumMedian = binMedian.bgnbd! + binMedian.gg!;
  console.log(
    `  bin bgnbd + bin gg (two whole processes): best ${sum.toFixed(3)} s, median ${sumMedian.toFixed(3)} s; one process bgnbd,gg: best ${binBest['bgnbd,gg']!.toFixed(3)} s, median ${binMedian['bgnbd,gg']!.toFixed(3)} s`,
  );
  if (n === 1_000_000) {
    const x = (t: number) => `${(LIFETIMES_1M_SECONDS / t).toFixed(1)}x`;
    console.log(
      `  vs lifetimes' ${LIFETIMES_1M_SECONDS} s, by the medians: ${x(binMedian['bgnbd,gg']!)} (one process), ${x(sumMedian)} (sum of the two processes); by the best runs: ${x(binBest['bgnbd,gg']!)}, ${x(sum)}`,
    );
  }
  if (n === 1_000_000) {
    console.log(
      `  vs lifetimes' ${LIFETIMES_1M_SECONDS} s (issue 3 figure; PyPI unreachable here): ${(LIFETIMES_1M_SECONDS / e.seconds).toFixed(1)}x in-process`,
    );
  }
}
console.log(`load average at the end: ${load()}`);
