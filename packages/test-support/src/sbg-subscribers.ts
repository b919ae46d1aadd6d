/**
 * Synthetic subscription payments drawn from a known sBG, with a seeded RNG: each subscriber's
 * churn probability θ ~ Beta(α, β), then each renewal survives with probability 1 − θ.
 */
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

export interface SbgDraw {
  alpha: number;
  beta: number;
  /** Subscribers starting in each month. */
  perMonth: number;
  /** Months of starts, from January 2025. */
  months: number;
  seed: number;
  /** The end of the data (default 2026-01-20 00:00 JST). */
  asOf?: Date;
}

/** One drawn subscriber: the instants of its monthly payments, oldest first. */
export interface DrawnSubscriber {
  /** 1, 2, … in order of start. */
  n: number;
  payments: Date[];
}

/**
 * Subscribers who start on the 10th of 2025-01 … (10:00 JST) and pay on the 10th of each month
 * until they cancel or asOf is reached.
 */
export function drawSbgSubscribers(draw: SbgDraw): DrawnSubscriber[] {
  const asOf = draw.asOf ?? new Date('2026-01-20T00:00:00+09:00');
  const rand = seededRandom(draw.seed);
  const out: DrawnSubscriber[] = [];
  for (let m = 0; m < draw.months; m++) {
    for (let i = 0; i < draw.perMonth; i++) {
      const x = gamma(draw.alpha, rand);
      const theta = x / (x + gamma(draw.beta, rand));
      const payments: Date[] = [];
      for (let k = 0; ; k++) {
        const at = new Date(Date.UTC(2025, m + k, 10, 1));
        if (at > asOf) break;
        payments.push(at);
        if (rand() < theta) break;
      }
      out.push({ n: out.length + 1, payments });
    }
  }
  return out;
}
