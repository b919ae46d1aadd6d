/** What every model's fit returns, and the shared step that turns an optimiser run into it. */
import { ClvError } from './errors.ts';
import {
  type FitDiagnostics,
  minimise,
  type Objective,
  type OptimiseOptions,
  standardErrors,
} from './optimise.ts';

export type ModelName = 'bgnbd' | 'mbgnbd' | 'pareto' | 'gg' | 'bgbb' | 'sbg';

export interface FitResult<P extends object> {
  model: ModelName;
  params: P;
  logLikelihood: number;
  /** Customers fitted (Σ weights). */
  n: number;
  /** Distinct rows the likelihood was evaluated on after compression. */
  rows: number;
  standardErrors: Record<keyof P, number>;
  diagnostics: FitDiagnostics;
}

export interface FitOptions extends OptimiseOptions {
  /** Starting parameters; each model has sensible defaults. */
  start?: number[];
}

/**
 * Run the optimiser on a per-customer objective (−LL / n) and package the result. A fit whose
 * log-likelihood is not finite throws `not_converged`; one that stops early, or runs a parameter
 * off to 0 or ∞, comes back with `diagnostics.converged = false` and a message saying why.
 */
export function runFit<P extends object>(
  model: ModelName,
  names: readonly (keyof P & string)[],
  objective: Objective,
  start: number[],
  n: number,
  rows: number,
  options: FitOptions,
  warmStart?: Objective,
  /** The objective's analytic Hessian, for the standard errors (else differences of the gradient). */
  hessian?: (theta: Float64Array) => Float64Array,
): FitResult<P> {
  const s = Float64Array.from(options.start ?? start);
  // On large data, fit a subsample first: its optimum and inverse Hessian put the full-data BFGS
  // within a few Newton-like steps of the answer, which saves most of the full evaluations.
  const warm = warmStart && !options.start ? minimise(warmStart, s, options) : undefined;
  const run =
    warm?.diagnostics.converged === true
      ? minimise(objective, warm.theta, { ...options, initialInverseHessian: warm.inverseHessian })
      : minimise(objective, s, options);
  const ll = -run.value * n;
  if (!Number.isFinite(ll) || !run.theta.every(Number.isFinite)) {
    throw new ClvError('not_converged', `${model}: the fit did not converge (${run.diagnostics.message})`);
  }
  const diagnostics = { ...run.diagnostics };
  const off = names.filter((_, i) => run.theta[i]! > 1e8 || run.theta[i]! < 1e-8);
  if (off.length > 0) {
    diagnostics.converged = false;
    diagnostics.message = `parameter ${off.join(', ')} ran off to the boundary (the data cannot identify it)`;
  }
  const se = standardErrors(objective, run.theta, n, run.gradient, hessian);
  const params = {} as Record<string, number>;
  const errors = {} as Record<string, number>;
  names.forEach((name, i) => {
    params[name] = run.theta[i]!;
    errors[name] = se[i]!;
  });
  return {
    model,
    params: params as P,
    logLikelihood: ll,
    n,
    rows,
    standardErrors: errors as Record<keyof P, number>,
    diagnostics,
  };
}
