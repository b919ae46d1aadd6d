/** What LINE remembers about an accepted retry key, to answer a duplicate with 409. */
export interface AcceptedRequest {
  readonly requestId: string;
  readonly acceptedAt: number;
  /** A push 409 repeats the original `sentMessages`. */
  readonly sentMessages: readonly { id: string; quoteToken: string }[] | undefined;
}

export const RETRY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const RETRY_KEY_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isValidRetryKey(key: string): boolean {
  return RETRY_KEY_PATTERN.test(key);
}

/**
 * Accepted `X-Line-Retry-Key`s, kept 24 h from acceptance. A key is stored only once its request
 * has taken effect: a request refused with 4xx, or failed before taking effect, leaves the key free
 * to retry. Keys enter the Map in acceptance order, and the clock only moves forward, so expired
 * keys are always at the front and pruning is amortised O(1).
 */
export class RetryKeyStore {
  readonly #keys = new Map<string, AcceptedRequest>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** The earlier accepted request for this key, if it is still remembered. */
  find(key: string): AcceptedRequest | undefined {
    this.#prune();
    return this.#keys.get(key.toLowerCase());
  }

  accept(key: string, requestId: string, sentMessages?: AcceptedRequest['sentMessages']): void {
    this.#keys.set(key.toLowerCase(), { requestId, acceptedAt: this.#clock(), sentMessages });
  }

  get size(): number {
    this.#prune();
    return this.#keys.size;
  }

  clear(): void {
    this.#keys.clear();
  }

  #prune(): void {
    const cutoff = this.#clock() - RETRY_KEY_TTL_MS;
    for (const [key, accepted] of this.#keys) {
      if (accepted.acceptedAt > cutoff) break;
      this.#keys.delete(key);
    }
  }
}
