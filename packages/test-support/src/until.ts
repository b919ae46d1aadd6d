/** Options of {@link until}. */
export interface UntilOptions {
  /** How long to keep trying before failing (default 20 s: a job worker on a loaded machine). */
  timeoutMs?: number;
  /** Pause between tries (default 25 ms). */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns a truthy value and resolves with that value; fails after the
 * timeout with an error that names `what` was awaited. Tests wait on conditions this way instead
 * of sleeping for a fixed time, which is either too short on a slow machine or wasted on a fast one.
 * @example
 * const row = await until(async () => (await status(id)) === 'done' && id, 'send 3 done', { timeoutMs: 30_000 });
 */
export async function until<T>(
  check: () => T | Promise<T>,
  what: string,
  options: UntilOptions = {},
): Promise<NonNullable<Awaited<T>>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let tries = 0;
  for (;;) {
    const value = await check();
    tries += 1;
    // Truthy, so neither null nor undefined.
    if (value) return value as NonNullable<Awaited<T>>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms (${tries} tries) waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
