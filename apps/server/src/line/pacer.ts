/**
 * A token bucket that keeps requests to one LINE endpoint within its rate limit (multicast
 * 200/s, push 2,000/s), so a send runs at the limit instead of bouncing off 429s. LINE's own
 * bucket is the authority: a 429 still happens (another process, clock skew, LINE's burst) and
 * `backOff` then holds every caller of this pacer for a while.
 */
export class Pacer {
  readonly #ratePerMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt = Date.now();
  #holdUntil = 0;
  #backoffMs = 0;

  constructor(ratePerSecond: number, burst: number) {
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
  }

  /** Waits until a request may go. */
  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now < this.#holdUntil) {
        await sleep(this.#holdUntil - now);
        continue;
      }
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
      this.#updatedAt = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await sleep(Math.max(1, Math.ceil((1 - this.#tokens) / this.#ratePerMs)));
    }
  }

  /** After a 429: hold all callers, doubling the hold from 50 ms up to 2 s while 429s continue. */
  backOff(): void {
    const now = Date.now();
    // Requests already in flight when the hold began answer 429 too: one hold, not one each.
    if (now < this.#holdUntil) return;
    this.#backoffMs = Math.min(2000, this.#backoffMs ? this.#backoffMs * 2 : 50);
    this.#holdUntil = now + this.#backoffMs;
    this.#tokens = 0;
  }

  /** After a success: the next 429 starts from the shortest hold again. */
  settle(): void {
    this.#backoffMs = 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const pacers = new Map<string, Pacer>();

/** Endpoints Kizuna paces: multicast (200/s), push and the rich-menu bulk link/unlink (2,000/s). */
export type PacedEndpoint = 'multicast' | 'push' | 'richMenuBulk';

/** This process's pacer for a channel's endpoint (LINE limits per channel and endpoint). */
export function pacerFor(channelId: string, kind: PacedEndpoint): Pacer {
  const key = `${channelId}:${kind}`;
  let pacer = pacers.get(key);
  if (!pacer) {
    pacer = kind === 'multicast' ? new Pacer(200, 20) : new Pacer(2000, 100);
    pacers.set(key, pacer);
  }
  return pacer;
}
