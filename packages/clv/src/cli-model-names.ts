/** Model names, titles and the fit type the CLI shares; no model code, so start-up stays light. */
import type { FitResult } from './fit-result.ts';

export const MODELS = ['bgnbd', 'mbgnbd', 'pareto', 'gg', 'bgbb'] as const;
export type CliModel = (typeof MODELS)[number];
export type PurchaseModel = Exclude<CliModel, 'gg'>;

export const MODEL_TITLES: Record<CliModel, string> = {
  bgnbd: 'BG/NBD',
  mbgnbd: 'MBG/NBD',
  pareto: 'Pareto/NBD',
  gg: 'Gamma-Gamma',
  bgbb: 'BG/BB',
};

export type AnyFit = FitResult<object> & { params: Record<string, number> };

/** Drop the compressed index so the fit serialises to JSON on its own. */
export function strip<F extends { index: unknown }>(fit: F): AnyFit {
  const { index: _index, ...rest } = fit;
  return rest as unknown as AnyFit; // the params interfaces are records of numbers
}
