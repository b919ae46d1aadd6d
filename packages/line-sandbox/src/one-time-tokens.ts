import { type Random, randomHex } from './random.ts';

interface Issued {
  readonly owner: string;
  readonly issuedAt: number;
}

/**
 * Single-use tokens with a lifetime: reply tokens (1 min, issued with webhook events) and
 * account-link tokens (10 min). Tokens enter the Map in issue order, so expired ones sit at the
 * front and are pruned in amortised O(1).
 */
export class OneTimeTokens {
  readonly #tokens = new Map<string, Issued>();
  readonly #clock: () => number;
  readonly #random: Random;
  readonly #ttlMs: number;
  readonly #length: number;

  constructor(clock: () => number, random: Random, ttlMs: number, length = 32) {
    this.#clock = clock;
    this.#random = random;
    this.#ttlMs = ttlMs;
    this.#length = length;
  }

  /** A fresh token that `owner` (a user, group or room id) can use once. */
  issue(owner: string): string {
    this.#prune();
    const token = randomHex(this.#random, this.#length);
    this.#tokens.set(token, { owner, issuedAt: this.#clock() });
    return token;
  }

  /** The owner of a live token, which is spent by this call; undefined for unknown, used or expired tokens. */
  consume(token: string): string | undefined {
    this.#prune();
    const issued = this.#tokens.get(token);
    if (issued === undefined) return undefined;
    this.#tokens.delete(token);
    return issued.owner;
  }

  clear(): void {
    this.#tokens.clear();
  }

  #prune(): void {
    const cutoff = this.#clock() - this.#ttlMs;
    for (const [token, issued] of this.#tokens) {
      if (issued.issuedAt > cutoff) break;
      this.#tokens.delete(token);
    }
  }
}
