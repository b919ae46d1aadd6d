/** The CLI's uniform view of the models: fit by name, predict per customer. */
import { bgBbConditionalExpectedPurchases, bgBbProbabilityAlive, fitBgBb } from './bg-bb.ts';
import { fitBgNbd, predictBgNbd } from './bg-nbd.ts';
import { type AnyFit, type CliModel, type PurchaseModel, strip } from './cli-model-names.ts';
import { assertUnreachable } from './errors.ts';
import type { FitOptions } from './fit-result.ts';
import { fitGammaGamma } from './gamma-gamma.ts';
import { fitMbgNbd, predictMbgNbd } from './mbg-nbd.ts';
import { fitParetoNbd, predictParetoNbd } from './pareto-nbd.ts';
import type { RfmSummary } from './summary.ts';

export { type AnyFit, type CliModel, MODEL_TITLES, MODELS, type PurchaseModel } from './cli-model-names.ts';

export function fitByName(model: CliModel, s: RfmSummary, options: FitOptions): AnyFit {
  switch (model) {
    case 'bgnbd':
      return strip(fitBgNbd(s, options));
    case 'mbgnbd':
      return strip(fitMbgNbd(s, options));
    case 'pareto':
      return strip(fitParetoNbd(s, options));
    case 'gg':
      return fitGammaGamma(s, options) as unknown as AnyFit; // params is a plain record of numbers
    case 'bgbb':
      return fitBgBb(s, options) as unknown as AnyFit; // same
    default:
      return assertUnreachable(model);
  }
}

/** P(alive) and expected purchases in the next `t` (in the summary's unit; periods for BG/BB). */
export function predictByName(
  model: PurchaseModel,
  params: Record<string, number>,
  s: RfmSummary,
  t: number,
) {
  switch (model) {
    case 'bgnbd':
      return predictBgNbd(take(params, ['r', 'alpha', 'a', 'b']), s, t);
    case 'mbgnbd':
      return predictMbgNbd(take(params, ['r', 'alpha', 'a', 'b']), s, t);
    case 'pareto':
      return predictParetoNbd(take(params, ['r', 'alpha', 's', 'beta']), s, t);
    case 'bgbb': {
      const p = take(params, ['alpha', 'beta', 'gamma', 'delta']);
      const n = s.x.length;
      const pAlive = new Float64Array(n);
      const expectedPurchases = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        pAlive[i] = bgBbProbabilityAlive(p, s.x[i]!, s.tx[i]!, s.T[i]!);
        expectedPurchases[i] = bgBbConditionalExpectedPurchases(p, Math.round(t), s.x[i]!, s.tx[i]!, s.T[i]!);
      }
      return { pAlive, expectedPurchases };
    }
    default:
      return assertUnreachable(model);
  }
}

function take<K extends string>(params: Record<string, number>, keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) {
    const v = params[k];
    if (v === undefined) throw new Error(`parameter ${k} missing`);
    out[k] = v;
  }
  return out;
}
