/** How a message reached the user. */
export type SendVia = 'reply' | 'push' | 'multicast' | 'narrowcast' | 'broadcast';

/**
 * One accepted send request. Shared by all its recipients, so a multicast to 500 users costs one
 * of these plus 500 map slots, not 500 copies of the messages.
 */
export interface SentRequest {
  readonly via: SendVia;
  readonly requestId: string;
  readonly retryKey: string | null;
  readonly at: number;
  /** The message objects as sent; empty when recording counts only. */
  readonly messages: readonly unknown[];
  readonly customAggregationUnit: string | null;
}

/** What a user received, as tests see it. */
export interface ReceivedMessage extends SentRequest {
  readonly userId: string;
}

/**
 * Per-recipient record of what was delivered. In `full` mode each user maps to the requests that
 * reached them; in `counts` mode only to a count. Both keep `duplicateRecipients` (users who got
 * more than one request) in O(1), which is what exactly-once tests assert on.
 */
export class ReceivedLog {
  readonly mode: 'full' | 'counts';
  readonly #full = new Map<string, SentRequest | SentRequest[]>();
  readonly #counts = new Map<string, number>();
  #deliveries = 0;
  #duplicateRecipients = 0;

  constructor(mode: 'full' | 'counts') {
    this.mode = mode;
  }

  record(userId: string, request: SentRequest): void {
    this.#deliveries++;
    if (this.mode === 'counts') {
      const n = (this.#counts.get(userId) ?? 0) + 1;
      this.#counts.set(userId, n);
      if (n === 2) this.#duplicateRecipients++;
      return;
    }
    const existing = this.#full.get(userId);
    if (existing === undefined) this.#full.set(userId, request);
    else if (Array.isArray(existing)) existing.push(request);
    else {
      this.#full.set(userId, [existing, request]);
      this.#duplicateRecipients++;
    }
  }

  /** Requests that reached the user, oldest first. Throws in `counts` mode, where bodies are not kept. */
  list(userId: string): ReceivedMessage[] {
    if (this.mode === 'counts') {
      throw new Error('received(): the sandbox records counts only (record: "counts"); use receivedCount()');
    }
    const entry = this.#full.get(userId);
    const requests = entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
    return requests.map((r) => ({ ...r, userId }));
  }

  count(userId: string): number {
    if (this.mode === 'counts') return this.#counts.get(userId) ?? 0;
    const entry = this.#full.get(userId);
    return entry === undefined ? 0 : Array.isArray(entry) ? entry.length : 1;
  }

  /** Users with at least one delivery. */
  get recipients(): number {
    return this.mode === 'counts' ? this.#counts.size : this.#full.size;
  }

  get deliveries(): number {
    return this.#deliveries;
  }

  get duplicateRecipients(): number {
    return this.#duplicateRecipients;
  }

  /** User ids that received more than one request (for diagnosing a failed exactly-once test). */
  duplicates(limit = 100): string[] {
    const out: string[] = [];
    const source = this.mode === 'counts' ? this.#counts : this.#full;
    for (const [userId, entry] of source) {
      const n = typeof entry === 'number' ? entry : Array.isArray(entry) ? entry.length : 1;
      if (n > 1) out.push(userId);
      if (out.length >= limit) break;
    }
    return out;
  }

  clear(): void {
    this.#full.clear();
    this.#counts.clear();
    this.#deliveries = 0;
    this.#duplicateRecipients = 0;
  }
}
