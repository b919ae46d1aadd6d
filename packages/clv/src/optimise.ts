/**
 * The small optimiser the models share: BFGS on log-parameters (so every parameter stays
 * positive) with a backtracking line search, and Nelder-Mead as the fallback when BFGS stalls.
 * Objectives are negative log-likelihoods scaled per customer, so tolerances do not depend on n.
 */

/** Returns f(θ); when `grad` is given, also writes ∂f/∂θ into it (natural parameters). */
export type Objective = (theta: Float64Array, grad: Float64Array | undefined) => number;

export interface OptimiseOptions {
  maxIterations?: number;
  /** Converged when the largest |∂f/∂log θ| falls below this. */
  gradientTolerance?: number;
  /** Starting inverse Hessian in log-parameters (row-major), e.g. from a fit on a subsample. */
  initialInverseHessian?: Float64Array;
}

export interface FitDiagnostics {
  converged: boolean;
  method: 'bfgs' | 'nelder-mead' | 'bfgs+nelder-mead';
  iterations: number;
  evaluations: number;
  /** Largest |∂(−LL/n)/∂log θ| at the end. */
  gradientNorm: number;
  message: string;
}

export interface OptimiseResult {
  theta: Float64Array;
  value: number;
  diagnostics: FitDiagnostics;
  /** The final BFGS inverse-Hessian approximation in log-parameters. */
  inverseHessian: Float64Array;
  /** ∂f/∂θ (natural parameters) at `theta`, from the evaluation that produced `value`. */
  gradient: Float64Array;
}

/** An objective whose gradient is central differences of `value` (see `numericGradient`). */
export interface NumericObjective extends Objective {
  value: (theta: Float64Array) => number;
}

/** Central-difference gradient, for models whose analytic gradient is not worth its code. */
export function numericGradient(f: (theta: Float64Array) => number): NumericObjective {
  const objective: Objective = (theta, grad) => {
    const v = f(theta);
    if (grad) {
      const t = Float64Array.from(theta);
      for (let i = 0; i < theta.length; i++) {
        const h = 1e-6 * Math.max(Math.abs(theta[i]!), 1e-3);
        t[i] = theta[i]! + h;
        const up = f(t);
        t[i] = theta[i]! - h;
        const down = f(t);
        t[i] = theta[i]!;
        grad[i] = (up - down) / (2 * h);
      }
    }
    return v;
  };
  return Object.assign(objective, { value: f });
}

/** Minimise `f` over positive parameters, starting at `start`. */
export function minimise(f: Objective, start: Float64Array, options: OptimiseOptions = {}): OptimiseResult {
  const maxIterations = options.maxIterations ?? 200;
  const gtol = options.gradientTolerance ?? 1e-9;
  const bfgs = runBfgs(f, start, maxIterations, gtol, options.initialInverseHessian);
  if (bfgs.diagnostics.converged || maxIterations <= bfgs.diagnostics.iterations) return bfgs;
  // BFGS stalled (a line search found no decrease): restart from a simplex, then polish.
  const nm = nelderMead(f, Float64Array.from(bfgs.theta, Math.log), maxIterations * 5);
  const polish = runBfgs(f, nm.theta, maxIterations, gtol, undefined);
  const d = polish.diagnostics;
  return {
    ...polish,
    diagnostics: {
      ...d,
      method: 'bfgs+nelder-mead',
      iterations: bfgs.diagnostics.iterations + nm.iterations + d.iterations,
      evaluations: bfgs.diagnostics.evaluations + nm.evaluations + d.evaluations,
    },
  };
}

function runBfgs(
  f: Objective,
  start: Float64Array,
  maxIterations: number,
  gtol: number,
  H0: Float64Array | undefined,
): OptimiseResult {
  const k = start.length;
  let evaluations = 0;
  const theta = new Float64Array(k);
  const gNat = new Float64Array(k);
  // φ = log θ. The objective and its gradient in φ.
  const evalPhi = (phi: Float64Array, g: Float64Array): number => {
    evaluations++;
    for (let i = 0; i < k; i++) theta[i] = Math.exp(phi[i]!);
    const v = f(theta, gNat);
    for (let i = 0; i < k; i++) g[i] = gNat[i]! * theta[i]!;
    return v;
  };
  let phi = Float64Array.from(start, Math.log);
  let g = new Float64Array(k);
  let value = evalPhi(phi, g);
  const H = H0 ? Float64Array.from(H0) : identity(k);
  const result = (converged: boolean, iterations: number, message: string): OptimiseResult => ({
    theta: Float64Array.from(phi, Math.exp),
    value,
    // g = ∂f/∂φ = θ ∂f/∂θ; θ here is exp(φ) exactly as the evaluation computed it.
    gradient: Float64Array.from(g, (gi, i) => gi / Math.exp(phi[i]!)),
    diagnostics: { converged, method: 'bfgs', iterations, evaluations, gradientNorm: maxAbs(g), message },
    inverseHessian: H,
  });
  if (!Number.isFinite(value) || !allFinite(g)) {
    return result(false, 0, 'the objective is not finite at the starting point');
  }
  const p = new Float64Array(k);
  const next = new Float64Array(k);
  let polishSteps = 0;
  let gNext = new Float64Array(k);
  for (let iter = 1; iter <= maxIterations; iter++) {
    if (maxAbs(g) < gtol) return result(true, iter - 1, 'gradient below tolerance');
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s -= H[i * k + j]! * g[j]!;
      p[i] = s;
    }
    let slope = dot(p, g);
    if (!(slope < 0)) {
      H.set(identity(k));
      for (let i = 0; i < k; i++) p[i] = -g[i]!;
      slope = dot(p, g);
    }
    // When the step's predicted decrease is at the rounding level of f itself, no line search can
    // verify progress (on a million customers the sum carries ~1e-15 relative noise): stop here.
    if (-slope < 1e-14 * Math.max(1, Math.abs(value)) && maxAbs(g) < Math.sqrt(gtol)) {
      // f can no longer tell, but the analytic gradient still can: on flat optima (Gamma-Gamma's
      // p, q, γ are strongly correlated) stopping here leaves the parameters ~1e-6 short. Take
      // the full quasi-Newton step while it at least halves the gradient (a few times at most).
      if (polishSteps < 3 && maxAbs(g) > gtol) {
        polishSteps++;
        for (let i = 0; i < k; i++) next[i] = phi[i]! + p[i]!;
        const fPolish = evalPhi(next, gNext);
        if (Number.isFinite(fPolish) && allFinite(gNext) && maxAbs(gNext) < 0.5 * maxAbs(g)) {
          const s = new Float64Array(k);
          const y = new Float64Array(k);
          for (let i = 0; i < k; i++) {
            s[i] = next[i]! - phi[i]!;
            y[i] = gNext[i]! - g[i]!;
          }
          const sy = dot(s, y);
          if (sy > 1e-300) updateInverseHessian(H, s, y, sy, false);
          phi = Float64Array.from(next);
          [g, gNext] = [gNext, g];
          value = fPolish;
          continue;
        }
      }
      return result(true, iter - 1, 'predicted decrease below rounding');
    }
    // Steps in log-space beyond e^3 per iteration are never useful and can overflow Γ.
    let step = Math.min(1, 3 / maxAbs(p));
    let accepted = false;
    let fNext = value;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < k; i++) next[i] = phi[i]! + step * p[i]!;
      fNext = evalPhi(next, gNext);
      if (Number.isFinite(fNext) && allFinite(gNext) && fNext <= value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      // Quadratic interpolation of the step, kept inside [0.1, 0.5] of the last one.
      const q = Number.isFinite(fNext) ? (-slope * step * step) / (2 * (fNext - value - slope * step)) : 0;
      step = Math.min(0.5 * step, Math.max(0.1 * step, q));
    }
    if (!accepted) {
      const small = maxAbs(g) < Math.sqrt(gtol);
      return result(small, iter, small ? 'no further decrease at tolerance' : 'line search failed');
    }
    const s = new Float64Array(k);
    const y = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      s[i] = next[i]! - phi[i]!;
      y[i] = gNext[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-300) updateInverseHessian(H, s, y, sy, iter === 1 && !H0);
    const fPrev = value;
    phi = Float64Array.from(next);
    [g, gNext] = [gNext, g];
    value = fNext;
    if (Math.abs(fPrev - value) <= 1e-16 * Math.max(1, Math.abs(value)) && maxAbs(g) < Math.sqrt(gtol)) {
      return result(true, iter, 'objective stopped changing');
    }
  }
  return result(false, maxIterations, `no convergence in ${maxIterations} iterations`);
}

function updateInverseHessian(
  H: Float64Array,
  s: Float64Array,
  y: Float64Array,
  sy: number,
  first: boolean,
): void {
  const k = s.length;
  if (first) {
    // Scale the initial identity to the curvature seen on the first step (Nocedal & Wright 6.20).
    const scale = sy / dot(y, y);
    for (let i = 0; i < k * k; i++) H[i]! *= scale;
  }
  const Hy = new Float64Array(k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) Hy[i]! += H[i * k + j]! * y[j]!;
  const yHy = dot(y, Hy);
  const rho = 1 / sy;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      H[i * k + j]! += rho * ((1 + rho * yHy) * s[i]! * s[j]! - Hy[i]! * s[j]! - s[i]! * Hy[j]!);
    }
  }
}

/** Nelder-Mead on φ = log θ, derivative-free. */
function nelderMead(f: Objective, phi0: Float64Array, maxEvaluations: number) {
  const k = phi0.length;
  const at = (phi: Float64Array) => {
    const v = f(Float64Array.from(phi, Math.exp), undefined);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const pts: { phi: Float64Array; v: number }[] = [{ phi: Float64Array.from(phi0), v: at(phi0) }];
  for (let i = 0; i < k; i++) {
    const q = Float64Array.from(phi0);
    q[i]! += 0.5;
    pts.push({ phi: q, v: at(q) });
  }
  let evaluations = k + 1;
  let iterations = 0;
  const blend = (a: Float64Array, b: Float64Array, t: number) => a.map((ai, i) => ai + t * (b[i]! - ai));
  while (evaluations < maxEvaluations) {
    iterations++;
    pts.sort((u, v) => u.v - v.v);
    const best = pts[0]!;
    const worst = pts[k]!;
    if (Math.abs(worst.v - best.v) <= 1e-14 * Math.max(1, Math.abs(best.v))) break;
    const centroid = new Float64Array(k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) centroid[j]! += pts[i]!.phi[j]! / k;
    const reflected = blend(centroid, worst.phi, -1);
    const vr = at(reflected);
    evaluations++;
    if (vr < best.v) {
      const expanded = blend(centroid, worst.phi, -2);
      const ve = at(expanded);
      evaluations++;
      pts[k] = ve < vr ? { phi: expanded, v: ve } : { phi: reflected, v: vr };
    } else if (vr < pts[k - 1]!.v) {
      pts[k] = { phi: reflected, v: vr };
    } else {
      const contracted = blend(centroid, worst.phi, 0.5);
      const vc = at(contracted);
      evaluations++;
      if (vc < worst.v) pts[k] = { phi: contracted, v: vc };
      else {
        for (let i = 1; i <= k; i++)
          pts[i] = { phi: blend(best.phi, pts[i]!.phi, 0.5), v: at(blend(best.phi, pts[i]!.phi, 0.5)) };
        evaluations += k;
      }
    }
  }
  pts.sort((u, v) => u.v - v.v);
  return { theta: Float64Array.from(pts[0]!.phi, Math.exp), iterations, evaluations };
}

/**
 * Standard errors of the maximum-likelihood estimates: the square roots of the diagonal of the
 * inverse of the Hessian of the total negative log-likelihood. From the model's analytic Hessian
 * when it has one (BG/NBD, MBG/NBD, Gamma-Gamma). Otherwise, with an analytic gradient, by
 * forward differences of the gradient (k evaluations when the optimiser already has the gradient
 * at θ). With a numerical gradient (`numericGradient`), differencing it again would amplify its
 * rounding error past the Hessian itself (Pareto/NBD's s and β came out NaN on CDNOW), so the
 * Hessian comes from central second differences of the value, with steps of 1e-4 relative.
 * `scale` turns the per-customer objective back into the total.
 */
export function standardErrors(
  f: Objective,
  theta: Float64Array,
  scale: number,
  gradientAtTheta?: Float64Array,
  /** The objective's analytic Hessian at θ (row-major), when the model has one: no differences. */
  hessian?: (theta: Float64Array) => Float64Array,
): Float64Array {
  const k = theta.length;
  const H = hessian
    ? hessian(theta).map((v) => v * scale)
    : 'value' in f
      ? hessianFromValues((f as NumericObjective).value, theta, scale)
      : hessianFromGradients(f, theta, scale, gradientAtTheta);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) {
      const m = (H[i * k + j]! + H[j * k + i]!) / 2;
      H[i * k + j] = m;
      H[j * k + i] = m;
    }
  }
  const inv = invert(H, k);
  return Float64Array.from({ length: k }, (_, i) => {
    const v = inv ? inv[i * k + i]! : Number.NaN;
    return v > 0 ? Math.sqrt(v) : Number.NaN;
  });
}

function hessianFromGradients(
  f: Objective,
  theta: Float64Array,
  scale: number,
  gradientAtTheta: Float64Array | undefined,
): Float64Array {
  const k = theta.length;
  const H = new Float64Array(k * k);
  const g0 = new Float64Array(k);
  const gu = new Float64Array(k);
  const t = Float64Array.from(theta);
  if (gradientAtTheta) g0.set(gradientAtTheta);
  else f(t, g0);
  for (let j = 0; j < k; j++) {
    const h = 1e-6 * Math.max(Math.abs(theta[j]!), 1e-3);
    t[j] = theta[j]! + h;
    f(t, gu);
    t[j] = theta[j]!;
    for (let i = 0; i < k; i++) H[i * k + j] = ((gu[i]! - g0[i]!) / h) * scale;
  }
  return H;
}

/** Central second differences of f: 2k + 2k(k−1) + 1 evaluations. */
function hessianFromValues(
  f: (theta: Float64Array) => number,
  theta: Float64Array,
  scale: number,
): Float64Array {
  const k = theta.length;
  const H = new Float64Array(k * k);
  const h = Float64Array.from(theta, (v) => 1e-4 * Math.max(Math.abs(v), 1e-3));
  const t = Float64Array.from(theta);
  const at = (i: number, si: number, j: number, sj: number) => {
    t[i] = theta[i]! + si * h[i]!;
    if (j !== i) t[j] = theta[j]! + sj * h[j]!;
    const v = f(t);
    t[i] = theta[i]!;
    t[j] = theta[j]!;
    return v;
  };
  const f0 = f(t);
  for (let i = 0; i < k; i++) {
    H[i * k + i] = ((at(i, 1, i, 0) - 2 * f0 + at(i, -1, i, 0)) / (h[i]! * h[i]!)) * scale;
    for (let j = 0; j < i; j++) {
      const d = at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1);
      H[i * k + j] = (d / (4 * h[i]! * h[j]!)) * scale;
      H[j * k + i] = H[i * k + j]!;
    }
  }
  return H;
}

/** Gauss-Jordan inverse with partial pivoting; undefined when singular. */
export function invert(A: Float64Array, k: number): Float64Array | undefined {
  const a = Float64Array.from(A);
  const inv = identity(k);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r * k + c]!) > Math.abs(a[piv * k + c]!)) piv = r;
    const pv = a[piv * k + c]!;
    if (!(Math.abs(pv) > 1e-300)) return undefined;
    for (let j = 0; j < k; j++) {
      [a[c * k + j], a[piv * k + j]] = [a[piv * k + j]!, a[c * k + j]!];
      [inv[c * k + j], inv[piv * k + j]] = [inv[piv * k + j]!, inv[c * k + j]!];
    }
    for (let j = 0; j < k; j++) {
      a[c * k + j]! /= pv;
      inv[c * k + j]! /= pv;
    }
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const m = a[r * k + c]!;
      if (m === 0) continue;
      for (let j = 0; j < k; j++) {
        a[r * k + j]! -= m * a[c * k + j]!;
        inv[r * k + j]! -= m * inv[c * k + j]!;
      }
    }
  }
  return inv;
}

function identity(k: number): Float64Array {
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++) m[i * k + i] = 1;
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return Number.isNaN(m) ? Number.POSITIVE_INFINITY : m;
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}
