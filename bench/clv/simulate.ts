/**
 * Seeded simulator of BG/NBD purchase histories at day granularity, with Gamma-Gamma spend.
 * Customers are acquired uniformly over the two years before the calibration end; purchases on
 * the same day merge, as in real logs. Writes a summary CSV (frequency,recency,T,monetary_value
 * in days, or with `week` in weeks to six decimals) for the benchmarks.
 *
 *   node bench/clv/simulate.ts 1000000 /tmp/clv-1m.csv [day|week]
 */
import { writeFileSync } from 'node:fs';

export const TRUE_PARAMS = { r: 0.25, alpha: 20, a: 0.8, b: 2.5, p: 6, q: 4, gamma: 15 };

/** mulberry32: small, fast, seedable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, rate) by Marsaglia & Tsang, with the shape < 1 boost. */
function gamma(u: () => number, shape: number, rate: number): number {
  if (shape < 1) return gamma(u, shape + 1, rate) * (1 - u()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(u);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - u()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export interface SimulatedSummary {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  monetary: Float64Array;
}

export function simulate(n: number, seed = 42, days = 730): SimulatedSummary {
  const u = rng(seed);
  const { r, alpha, a, b, p, q, gamma: g } = TRUE_PARAMS;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const monetary = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const age = Math.floor(u() * (days + 1));
    const lambda = gamma(u, r, alpha);
    const ga = gamma(u, a, 1);
    const dropout = ga / (ga + gamma(u, b, 1));
    const nu = gamma(u, q, g);
    let t = 0;
    let lastDay = 0;
    let count = 0;
    let spend = 0;
    for (;;) {
      t += -Math.log(1 - u()) / lambda;
      const day = Math.floor(t);
      if (day > age) break;
      const amount = gamma(u, p, nu);
      if (day === lastDay) {
        // A second purchase on the same day merges into that day; on day 0 into the first purchase.
        if (count > 0) spend += amount;
      } else {
        count++;
        spend += amount;
        lastDay = day;
      }
      if (u() < dropout) break;
    }
    x[i] = count;
    tx[i] = count > 0 ? lastDay : 0;
    T[i] = age;
    monetary[i] = count > 0 ? Math.round((100 * spend) / count) / 100 : 0;
  }
  return { x, tx, T, monetary };
}

/**
 * The summary as CSV: t_x and T in whole days, or with `unit` 'week' in weeks written to six
 * decimals (day counts ÷ 7: 689 days is 98.428571), as lifetimes users often export them.
 */
export function summaryCsv(s: SimulatedSummary, unit: 'day' | 'week' = 'day'): string {
  const lines = ['frequency,recency,T,monetary_value'];
  const time = unit === 'day' ? (v: number) => `${v}` : (v: number) => (v / 7).toFixed(6);
  for (let i = 0; i < s.x.length; i++) {
    lines.push(`${s.x[i]},${time(s.tx[i]!)},${time(s.T[i]!)},${s.monetary[i]}`);
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.main) {
  const n = Number(process.argv[2] ?? 100000);
  const file = process.argv[3] ?? `/tmp/clv-sim-${n}.csv`;
  writeFileSync(file, summaryCsv(simulate(n), process.argv[4] === 'week' ? 'week' : 'day'));
  console.log(`wrote ${n} customers to ${file}`);
}
