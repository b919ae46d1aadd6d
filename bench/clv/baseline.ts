/**
 * The in-project baseline: a straightforward per-row port of the BG/NBD and Gamma-Gamma
 * likelihoods (what lifetimes computes, customer by customer), with the same analytic gradients
 * and the same optimiser as the engine, but no compression and no per-distinct-value caching.
 * Parsing is the generic split-and-Number approach.
 */
import { readFileSync } from 'node:fs';
import { minimise } from '../../packages/clv/src/optimise.ts';
import { digamma, gammaln } from '../../packages/clv/src/special.ts';
import { hyp2f1 } from '../../packages/clv/src/special-more.ts';

export function loadNaive(file: string) {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',').map(Number));
  return {
    x: rows.map((r) => r[0]!),
    tx: rows.map((r) => r[1]!),
    T: rows.map((r) => r[2]!),
    m: rows.map((r) => r[3]!),
  };
}

type Data = ReturnType<typeof loadNaive>;

function bgObjective(d: Data) {
  const n = d.x.length;
  return (th: Float64Array, grad: Float64Array | undefined) => {
    const [r, al, a, b] = [th[0]!, th[1]!, th[2]!, th[3]!];
    let ll = 0;
    let gr = 0;
    let gal = 0;
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const x = d.x[i]!;
      const tx = d.tx[i]!;
      const T = d.T[i]!;
      const a1 = gammaln(r + x) - gammaln(r) + r * Math.log(al);
      const a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x);
      const a3 = -(r + x) * Math.log(al + T);
      const a4 =
        x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(al + tx) : Number.NEGATIVE_INFINITY;
      const hi = Math.max(a3, a4);
      const l = hi + Math.log(Math.exp(a3 - hi) + Math.exp(a4 - hi));
      ll += a1 + a2 + l;
      if (grad) {
        const s = Math.exp(a4 - l);
        gr += digamma(r + x) - digamma(r) + Math.log(al) - (1 - s) * Math.log(al + T) - s * Math.log(al + tx);
        gal += r / al - (r + x) * ((1 - s) / (al + T) + s / (al + tx));
        ga += digamma(a + b) - digamma(a + b + x) + s / a;
        gb +=
          digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - (x > 0 ? s / (b + x - 1) : 0);
      }
    }
    if (grad) grad.set([-gr / n, -gal / n, -ga / n, -gb / n]);
    return -ll / n;
  };
}

function ggObjective(d: Data) {
  const idx = d.x.flatMap((x, i) => (x > 0 ? [i] : []));
  const n = idx.length;
  return (th: Float64Array, grad: Float64Array | undefined) => {
    const [p, q, g] = [th[0]!, th[1]!, th[2]!];
    let ll = 0;
    let gp = 0;
    let gq = 0;
    let gg = 0;
    for (const i of idx) {
      const x = d.x[i]!;
      const m = d.m[i]!;
      const px = p * x;
      const lv = Math.log(g + x * m);
      ll +=
        gammaln(px + q) -
        gammaln(px) -
        gammaln(q) +
        q * Math.log(g) +
        (px - 1) * Math.log(m) +
        px * Math.log(x) -
        (px + q) * lv;
      if (grad) {
        gp += x * (digamma(px + q) - digamma(px) + Math.log(m) + Math.log(x) - lv);
        gq += digamma(px + q) - digamma(q) + Math.log(g) - lv;
        gg += q / g - (px + q) / (g + x * m);
      }
    }
    if (grad) grad.set([-gp / n, -gq / n, -gg / n]);
    return -ll / n;
  };
}

/**
 * Load, fit BG/NBD and Gamma-Gamma and, with a `horizon`, predict P(alive), E[Y(horizon)] and E[M]
 * for every customer. Without one, load and the two fits only: the work `kizuna clv fit --model
 * bgnbd,gg` does (less its standard errors), and what lifetimes' load + fit figure measured.
 */
export function runBaseline(file: string, horizon: number | undefined) {
  const d = loadNaive(file);
  let sx = 0;
  let sT = 0;
  for (let i = 0; i < d.x.length; i++) {
    sx += d.x[i]!;
    sT += d.T[i]!;
  }
  const bg = minimise(bgObjective(d), Float64Array.of(1, sT / sx, 1, 3));
  const [r, alpha, a, b] = bg.theta;
  const gg = minimise(ggObjective(d), Float64Array.of(2, 3, 20));
  const [p, q, gamma] = gg.theta;
  const params = {
    bgnbd: { r: r!, alpha: alpha!, a: a!, b: b! },
    gg: { p: p!, q: q!, gamma: gamma! },
    evaluations: bg.diagnostics.evaluations + gg.diagnostics.evaluations,
  };
  if (horizon === undefined) return params;
  // Per-customer predictions: P(alive), E[Y(horizon)], E[M].
  let check = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i]!;
    const T = d.T[i]!;
    const odds = x > 0 ? (a! / (b! + x - 1)) * ((alpha! + T) / (alpha! + d.tx[i]!)) ** (r! + x) : 0;
    const alive = 1 / (1 + odds);
    const z = horizon / (alpha! + T + horizon);
    const c = a! + b! + x - 1;
    const ey = (c / (a! - 1)) * (1 - (1 - z) ** (a! - 1) * hyp2f1(c - r! - x, a! - 1, c, z)) * alive;
    const em = x > 0 ? (p! * (gamma! + x * d.m[i]!)) / (p! * x + q! - 1) : (p! * gamma!) / (q! - 1);
    check += ey * em;
  }
  return { ...params, check };
}
