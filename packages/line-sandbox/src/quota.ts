import { LineApiError, QUOTA_MESSAGE } from './line-error.ts';
import { tokyoDate, tokyoMonth } from './options.ts';
import type { SendVia } from './received.ts';

/**
 * The monthly message quota and the counters behind quota, consumption, daily delivery counts and
 * aggregation-unit usage. LINE counts one message per recipient per request (not per message
 * object), months and days in Tokyo time, and replies are free.
 */
export class MessageQuota {
  readonly #clock: () => number;
  #limit: number | null;
  #month = '';
  #used = 0;
  readonly #daily = new Map<string, number>();
  #units = new Set<string>();

  constructor(clock: () => number, limit: number | null) {
    this.#clock = clock;
    this.#limit = limit;
  }

  /** Throws LINE's 429 when sending to `recipients` more people would pass the limit. */
  reserve(recipients: number, via: SendVia): void {
    if (via === 'reply' || this.#limit === null) return;
    this.#roll();
    if (this.#used + recipients > this.#limit) throw new LineApiError('quota-exhausted', QUOTA_MESSAGE);
  }

  /** How many more messages fit this month (Infinity when unlimited). */
  remaining(): number {
    this.#roll();
    return this.#limit === null ? Number.POSITIVE_INFINITY : Math.max(0, this.#limit - this.#used);
  }

  consume(recipients: number, via: SendVia): void {
    this.#roll();
    if (via !== 'reply') this.#used += recipients;
    const key = `${via}:${tokyoDate(this.#clock())}`;
    this.#daily.set(key, (this.#daily.get(key) ?? 0) + recipients);
  }

  /** Whether a unit name may be used: it is known this month or there is room for one more of 1,000. */
  canUseUnit(name: string): boolean {
    this.#roll();
    return this.#units.has(name) || this.#units.size < 1000;
  }

  useUnit(name: string): void {
    this.#units.add(name);
  }

  units(): string[] {
    this.#roll();
    return [...this.#units];
  }

  quotaBody(): { type: 'none' | 'limited'; value?: number } {
    return this.#limit === null ? { type: 'none' } : { type: 'limited', value: this.#limit };
  }

  totalUsage(): number {
    this.#roll();
    return this.#used;
  }

  /** Deliveries by `via` on a Tokyo date `yyyyMMdd`. */
  delivered(via: SendVia, date: string): number {
    return this.#daily.get(`${via}:${date}`) ?? 0;
  }

  setLimit(limit: number | null): void {
    this.#limit = limit;
  }

  reset(): void {
    this.#used = 0;
    this.#daily.clear();
    this.#units = new Set();
  }

  #roll(): void {
    const month = tokyoMonth(this.#clock());
    if (month === this.#month) return;
    this.#month = month;
    this.#used = 0;
    this.#units = new Set();
  }
}
