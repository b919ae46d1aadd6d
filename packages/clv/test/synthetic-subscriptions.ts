/**
 * Synthetic subscription payments drawn from a known sBG, with a seeded RNG: each subscriber's
 * churn probability θ ~ Beta(α, β), then each renewal survives with probability 1 − θ.
 */
import type { SubscriptionPayment } from '../src/subscription-ltv.ts';

/** mulberry32: a small seeded generator, uniform on [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), boosted for shape < 1. */
function gamma(shape: number, rand: () => number): number {
  if (shape < 1) return gamma(shape + 1, rand) * (1 - rand()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rand);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface SyntheticPlan {
  plan: string;
  alpha: number;
  beta: number;
  price: number;
  /** Subscribers starting in each month. */
  perMonth: number;
  /** Start months: month k starts on the 10th of (first month + k), JST. */
  months: number;
  seed: number;
}

/**
 * Monthly payments of subscribers who started on the 10th of 2025-01 … (10:00 JST), each paying
 * on the 10th until it cancels or asOf (2026-01-20 JST by default) is reached.
 */
export function syntheticPayments(
  plan: SyntheticPlan,
  asOf = new Date('2026-01-20T00:00:00+09:00'),
): SubscriptionPayment[] {
  const rand = seededRandom(plan.seed);
  const out: SubscriptionPayment[] = [];
  let n = 0;
  for (let m = 0; m < plan.months; m++) {
    for (let i = 0; i < plan.perMonth; i++) {
      const x = gamma(plan.alpha, rand);
      const theta = x / (x + gamma(plan.beta, rand));
      const id = `${plan.plan}-${++n}`;
      for (let k = 0; ; k++) {
        const at = new Date(Date.UTC(2025, m + k, 10, 1));
        if (at > asOf) break;
        out.push({
          subscriptionId: id,
          plan: plan.plan,
          unit: 'month',
          count: 1,
          at,
          sequence: null,
          kind: 'paid',
          amount: plan.price,
        });
        if (rand() < theta) break;
      }
    }
  }
  return out;
}
