import { hyp2f1, gammaln } from './special.ts';
const r = 0.5533, alpha = 10.578, s = 0.6062, beta = 11.668, t = 39;
for (const n of [0, 1, 2]) {
  const c = r + s + n + 1;
  const b1 = hyp2f1(r + s, r + n, c, (beta - alpha) / beta) / beta ** (r + s);
  let sum = 0;
  for (let i = 0; i <= n; i++) sum += Math.exp(gammaln(r + s + i) - gammaln(r + s) - gammaln(i + 1)) * t ** i * hyp2f1(r + s + i, r + n, c, (beta - alpha) / (beta + t)) / (beta + t) ** (r + s + i);
  console.log(n, b1, sum, hyp2f1(r + s, r + n, c, (beta - alpha) / beta));
}
// series check
function f(a: number, b: number, c: number, z: number) { let term = 1, s = 1; for (let k = 0; k < 2000; k++) { term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z; s += term; } return s; }
console.log(f(r + s, r, r + s + 1, (beta - alpha) / beta), hyp2f1(r + s, r, r + s + 1, (beta - alpha) / beta));
