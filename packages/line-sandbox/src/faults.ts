import { createRandom, type Random } from './random.ts';

/** Fault injection settings. Every probability is per request, in [0, 1]. */
export interface FaultOptions {
  /** Seed for the fault stream; the same seed and request order give the same faults. */
  seed?: number;
  /** Share of requests answered with a 5xx. */
  errorRate?: number;
  /** Status used for injected errors. Default 500. */
  errorStatus?: number;
  /** Share of requests whose connection is destroyed without any response. */
  dropRate?: number;
  /**
   * Of the injected errors and drops, the share that happen *after* the request took effect
   * (messages delivered, retry key accepted), which is what makes retry keys necessary.
   * Default 0.5.
   */
  afterEffectShare?: number;
  /** Added latency: a fixed number of ms, or `[min, max]` drawn uniformly. */
  latencyMs?: number | [number, number];
  /** Chance that a request starts a 429 burst. */
  burstRate?: number;
  /** Requests answered 429 in each burst (including the one that starts it). Default 20. */
  burstLength?: number;
  /** Only requests whose path starts with one of these are faulted. Default: every Messaging API path. */
  paths?: string[];
}

/** What happens to one request. */
export interface FaultDecision {
  latencyMs: number;
  kind: 'none' | 'error-before' | 'error-after' | 'drop-before' | 'drop-after' | 'rate-limit';
}

/** Counts of injected faults, for tests and the control API. */
export interface FaultCounts {
  errors: number;
  drops: number;
  rateLimited: number;
  delayed: number;
}

const NO_FAULT: FaultDecision = Object.freeze({ latencyMs: 0, kind: 'none' }) as FaultDecision;

function checkRate(value: number | undefined, key: string): number {
  const v = value ?? 0;
  if (!(v >= 0 && v <= 1))
    throw new Error(`faults.${key}: expected a number in [0, 1], got ${String(value)}`);
  return v;
}

/**
 * Decides, per request and in arrival order, whether to delay it, fail it, drop it or answer 429.
 * Decisions come from their own seeded stream, so a test that seeds it sees the same faults on
 * the same requests every run.
 */
export class FaultInjector {
  #options: FaultOptions = {};
  #random: Random;
  #burstLeft = 0;
  /** When set, only requests whose path starts with this take part in the pending burst. */
  #burstPath: string | undefined;
  readonly counts: FaultCounts = { errors: 0, drops: 0, rateLimited: 0, delayed: 0 };
  readonly #defaultSeed: number;

  constructor(defaultSeed: number, options: FaultOptions = {}) {
    this.#defaultSeed = defaultSeed;
    this.#random = createRandom(defaultSeed);
    this.set(options);
  }

  /** Replaces the fault settings (and reseeds when `seed` is given). Throws on a bad value, naming it. */
  set(options: FaultOptions): void {
    for (const key of ['errorRate', 'dropRate', 'afterEffectShare', 'burstRate'] as const) {
      checkRate(options[key], key);
    }
    const status = options.errorStatus ?? 500;
    if (!(Number.isInteger(status) && status >= 500 && status <= 599)) {
      throw new Error(`faults.errorStatus: expected an integer 500–599, got ${String(options.errorStatus)}`);
    }
    const latency = options.latencyMs ?? 0;
    const [min, max] = Array.isArray(latency) ? latency : [latency, latency];
    if (!(min >= 0 && max >= min))
      throw new Error('faults.latencyMs: expected ms >= 0, or [min, max] with min <= max');
    this.#options = { ...options };
    if (options.seed !== undefined) this.#random = createRandom(options.seed);
  }

  get(): FaultOptions {
    return { ...this.#options };
  }

  /**
   * Answers the next `count` faultable requests with 429, as a burst from LINE would. With
   * `pathPrefix`, only requests under that path count (and get the 429s), so a test's burst is not
   * used up by a background request to another endpoint.
   */
  burst(count: number, pathPrefix?: string): void {
    this.#burstLeft += count;
    this.#burstPath = pathPrefix;
  }

  /** Clears every fault and reseeds the stream with the start seed. */
  reset(): void {
    this.#options = {};
    this.#burstLeft = 0;
    this.#burstPath = undefined;
    this.#random = createRandom(this.#defaultSeed);
    Object.assign(this.counts, { errors: 0, drops: 0, rateLimited: 0, delayed: 0 });
  }

  get errorStatus(): number {
    return this.#options.errorStatus ?? 500;
  }

  decide(path: string): FaultDecision {
    const o = this.#options;
    if (o.paths !== undefined && !o.paths.some((p) => path.startsWith(p))) return NO_FAULT;
    if (this.#burstLeft > 0 && this.#burstPath !== undefined && !path.startsWith(this.#burstPath)) {
      return NO_FAULT;
    }
    const active = this.#burstLeft > 0 || o.errorRate || o.dropRate || o.burstRate || o.latencyMs;
    if (!active) return NO_FAULT;
    const latencyMs = this.#latency();
    if (latencyMs > 0) this.counts.delayed++;
    if (this.#burstLeft === 0 && o.burstRate && this.#random.next() < o.burstRate) {
      this.#burstLeft = o.burstLength ?? 20;
    }
    if (this.#burstLeft > 0) {
      this.#burstLeft--;
      if (this.#burstLeft === 0) this.#burstPath = undefined;
      this.counts.rateLimited++;
      return { latencyMs, kind: 'rate-limit' };
    }
    const r = this.#random.next();
    const errorRate = o.errorRate ?? 0;
    const dropRate = o.dropRate ?? 0;
    if (r >= errorRate + dropRate) return { latencyMs, kind: 'none' };
    const after = this.#random.next() < (o.afterEffectShare ?? 0.5);
    if (r < errorRate) {
      this.counts.errors++;
      return { latencyMs, kind: after ? 'error-after' : 'error-before' };
    }
    this.counts.drops++;
    return { latencyMs, kind: after ? 'drop-after' : 'drop-before' };
  }

  #latency(): number {
    const l = this.#options.latencyMs ?? 0;
    if (!Array.isArray(l)) return l;
    const [min, max] = l;
    return min + this.#random.next() * (max - min);
  }
}
