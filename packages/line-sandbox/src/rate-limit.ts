import { LineApiError, RATE_LIMIT_MESSAGE } from './line-error.ts';

/** LINE's rate-limit groups. Each endpoint+method has its own bucket with its group's limit. */
export type RateLimitGroup =
  | 'default'
  | 'multicast'
  | 'narrowcast'
  | 'broadcast'
  | 'richMenuCreateDelete'
  | 'richMenuBatch'
  | 'richMenuList'
  | 'audience'
  | 'webhookEndpoint'
  | 'webhookTest';

export interface RateLimit {
  /** Requests allowed per window; also the bucket size (the largest burst). */
  limit: number;
  windowMs: number;
}

export type RateLimitOverrides = Partial<Record<RateLimitGroup, RateLimit | null>>;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** LINE's documented limits (line-platform.md §2). */
export const LINE_RATE_LIMITS: Readonly<Record<RateLimitGroup, RateLimit>> = Object.freeze({
  default: { limit: 2000, windowMs: SECOND },
  multicast: { limit: 200, windowMs: SECOND },
  narrowcast: { limit: 60, windowMs: HOUR },
  broadcast: { limit: 60, windowMs: HOUR },
  richMenuCreateDelete: { limit: 100, windowMs: HOUR },
  richMenuBatch: { limit: 3, windowMs: HOUR },
  richMenuList: { limit: 10, windowMs: SECOND },
  audience: { limit: 60, windowMs: MINUTE },
  webhookEndpoint: { limit: 1000, windowMs: MINUTE },
  webhookTest: { limit: 60, windowMs: HOUR },
});

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per endpoint+method (parameters and caller are ignored, as LINE does). A bucket
 * starts full at `limit` and refills at `limit / windowMs` per ms; refill is computed lazily when
 * a request arrives, so each request costs one Map lookup and a little arithmetic.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: () => number;
  #limits: Record<RateLimitGroup, RateLimit | null>;
  #enabled: boolean;

  constructor(clock: () => number, overrides: RateLimitOverrides | false | undefined) {
    this.#clock = clock;
    this.#enabled = overrides !== false;
    this.#limits = { ...LINE_RATE_LIMITS, ...(overrides || {}) };
  }

  /** Takes one token for `endpoint` or throws LINE's 429. */
  take(endpoint: string, group: RateLimitGroup): void {
    const limit = this.#limits[group];
    if (!this.#enabled || limit === null) return;
    const now = this.#clock();
    let bucket = this.#buckets.get(endpoint);
    if (bucket === undefined) {
      bucket = { tokens: limit.limit, updatedAt: now };
      this.#buckets.set(endpoint, bucket);
    } else {
      const refill = ((now - bucket.updatedAt) * limit.limit) / limit.windowMs;
      bucket.tokens = Math.min(limit.limit, bucket.tokens + refill);
      bucket.updatedAt = now;
    }
    if (bucket.tokens < 1) throw new LineApiError('rate-limited', RATE_LIMIT_MESSAGE);
    bucket.tokens -= 1;
  }

  /** Changes limits at runtime (`false` turns limiting off); buckets restart full. */
  configure(overrides: RateLimitOverrides | false): void {
    this.#enabled = overrides !== false;
    this.#limits = { ...LINE_RATE_LIMITS, ...(overrides || {}) };
    this.#buckets.clear();
  }

  describe(): { enabled: boolean; limits: Record<RateLimitGroup, RateLimit | null> } {
    return { enabled: this.#enabled, limits: { ...this.#limits } };
  }

  reset(): void {
    this.#buckets.clear();
  }
}
