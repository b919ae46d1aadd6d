import { readCdnow } from './_tmp_read.ts';
import { fitParetoNbd, paretoNbdProbabilityOfPurchases, paretoNbdExpectedPurchases, paretoNbdConditionalExpectedPurchases } from './pareto-nbd.ts';
import { bgNbdProbabilityOfPurchases, bgNbdExpectedPurchases } from './bg-nbd.ts';
import { mbgNbdProbabilityOfPurchases, mbgNbdExpectedPurchases } from './mbg-nbd.ts';
const s = readCdnow();
let t = performance.now();
const f = fitParetoNbd(s);
console.log(performance.now() - t, f.params, f.logLikelihood, f.standardErrors, f.diagnostics, f.rows);
for (const [name, pr, ex, p] of [['pareto', paretoNbdProbabilityOfPurchases, paretoNbdExpectedPurchases, f.params], ['bg', bgNbdProbabilityOfPurchases, bgNbdExpectedPurchases, { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }], ['mbg', mbgNbdProbabilityOfPurchases, mbgNbdExpectedPurchases, { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 }]] as const) {
  let sum = 0, mean = 0; for (let n = 0; n < 300; n++) { const v = (pr as any)(p, 39, n); sum += v; mean += n * v; }
  console.log(name, sum, mean, (ex as any)(p, 39));
}
console.log(paretoNbdConditionalExpectedPurchases({ r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }, 39, 2, 30.43, 38.86));
