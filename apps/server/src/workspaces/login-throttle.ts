/**
 * Slows password guessing: after `maxFailures` failed logins for one email within `windowMs`,
 * further attempts for that email are refused until the window ends. Kept in process memory, so
 * with several API processes each counts on its own (the limit per process still holds).
 */
export interface LoginThrottle {
  /** Milliseconds until the email may try again, or 0 when it may try now. */
  retryAfter(email: string, now?: number): number;
  recordFailure(email: string, now?: number): void;
  recordSuccess(email: string): void;
}

export function createLoginThrottle(
  options: { maxFailures?: number; windowMs?: number } = {},
): LoginThrottle {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 15 * 60 * 1000;
  const failures = new Map<string, { count: number; resetAt: number }>();
  const key = (email: string) => email.trim().toLowerCase();
  return {
    retryAfter(email, now = Date.now()) {
      const entry = failures.get(key(email));
      if (!entry || entry.resetAt <= now) return 0;
      return entry.count >= maxFailures ? entry.resetAt - now : 0;
    },
    recordFailure(email, now = Date.now()) {
      const k = key(email);
      const entry = failures.get(k);
      if (!entry || entry.resetAt <= now) failures.set(k, { count: 1, resetAt: now + windowMs });
      else entry.count++;
      // Bound the memory an attacker can make us hold.
      if (failures.size > 100_000) {
        for (const [email, e] of failures) if (e.resetAt <= now) failures.delete(email);
      }
    },
    recordSuccess(email) {
      failures.delete(key(email));
    },
  };
}
