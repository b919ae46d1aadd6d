/**
 * `kizuna clv fit`: one model or several on the same input (`--model bgnbd,gg` parses the file
 * once). Each model's code is imported only when asked for, so a fit loads no prediction, report
 * or other-model code at start-up.
 */

import type { CliInput } from './cli-input.ts';
import { type AnyFit, type CliModel, MODEL_TITLES, MODELS, strip } from './cli-model-names.ts';
import { assertUnreachable, ClvError } from './errors.ts';
import type { FitOptions } from './fit-result.ts';
import type { RfmIndex, RfmSummary } from './summary.ts';

/** `--model` as a list: one name, or several joined by commas, each at most once. */
export function modelList(flags: Map<string, string>): CliModel[] {
  const text = flags.get('model') ?? 'bgnbd';
  const names = text.split(',').map((m) => m.trim());
  for (const m of names) {
    if (!(MODELS as readonly string[]).includes(m)) {
      throw new ClvError('invalid_input', `--model must be one of ${MODELS.join('|')} (got '${m}')`, {
        field: 'model',
      });
    }
  }
  if (new Set(names).size !== names.length) {
    throw new ClvError('invalid_input', `--model names a model twice ('${text}')`, { field: 'model' });
  }
  return names as CliModel[];
}

/** What one `fit` run shares between its models: the compressed summary of the first BG fit. */
export interface FitContext {
  index?: RfmIndex | undefined;
}

export async function fitModel(
  model: CliModel,
  s: RfmSummary,
  options: FitOptions,
  context: FitContext = {},
): Promise<AnyFit> {
  switch (model) {
    case 'bgnbd':
    case 'mbgnbd': {
      const { fitBg } = await import('./bg-fit.ts');
      const fit = fitBg(s, model === 'mbgnbd', options);
      context.index ??= fit.index;
      return strip(fit);
    }
    case 'pareto': {
      const { fitParetoNbd } = await import('./pareto-nbd.ts');
      return strip(fitParetoNbd(s, options));
    }
    case 'gg': {
      const { fitGammaGamma } = await import('./gamma-gamma.ts');
      return fitGammaGamma(s, options, context.index) as unknown as AnyFit; // params is a plain record of numbers
    }
    case 'bgbb': {
      const { fitBgBb } = await import('./bg-bb.ts');
      return fitBgBb(s, options) as unknown as AnyFit; // same
    }
    default:
      return assertUnreachable(model);
  }
}

export function fitJson(fit: AnyFit, input: CliInput) {
  return {
    model: fit.model,
    params: fit.params,
    logLikelihood: fit.logLikelihood,
    n: fit.n,
    rows: fit.rows,
    unit: input.unit ?? null,
    standardErrors: fit.standardErrors,
    converged: fit.diagnostics.converged,
    diagnostics: fit.diagnostics,
  };
}

export function fitText(fit: AnyFit, input: CliInput): string {
  const title = MODEL_TITLES[fit.model as CliModel] ?? fit.model;
  const se = fit.standardErrors as Record<string, number>;
  const lines = [
    `${title} fit on ${fit.n.toLocaleString('en')} customers (${fit.rows.toLocaleString('en')} distinct rows)${input.unit ? `, time unit ${input.unit}` : ''}`,
    ...Object.entries(fit.params).map(
      ([k, v]) => `  ${k.padEnd(6)} ${v.toFixed(4).padStart(12)}   (se ${se[k]!.toFixed(4)})`,
    ),
    `  log-likelihood ${fit.logLikelihood.toFixed(2)}`,
    `  ${fit.diagnostics.converged ? 'converged' : 'NOT converged'} after ${fit.diagnostics.iterations} iterations (${fit.diagnostics.method}): ${fit.diagnostics.message}`,
  ];
  return `${lines.join('\n')}\n`;
}
