/**
 * A token bucket that keeps requests to one provider endpoint within its rate limit, so a send
 * runs at the limit instead of bouncing off rate-limit answers. The provider's own bucket is the
 * authority: a rate-limit answer still happens (another process, clock skew, the provider's
 * burst) and `backOff` then holds every caller of this pacer for a while. Each adapter chooses
 * the rates of its endpoints (LINE: line/pacer.ts).
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

  /** After a rate-limit answer: hold all callers, doubling the hold from 50 ms up to 2 s while they continue. */
  backOff(): void {
    const now = Date.now();
    // Requests already in flight when the hold began are refused too: one hold, not one each.
    if (now < this.#holdUntil) return;
    this.#backoffMs = Math.min(2000, this.#backoffMs ? this.#backoffMs * 2 : 50);
    this.#holdUntil = now + this.#backoffMs;
    this.#tokens = 0;
  }

  /** After a success: the next rate-limit answer starts from the shortest hold again. */
  settle(): void {
    this.#backoffMs = 0;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
