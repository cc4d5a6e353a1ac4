/** Paces calls at a steady rate. */
export interface RateLimiter {
  /** Resolves when the next call may start; slots are handed out in call order, so concurrent callers share the rate. */
  wait(): Promise<void>;
}

/**
 * Spaces calls `1000 / perSecond` ms apart (no bursts: a replay should not hit a recovering destination with
 * a wall of retries). `undefined` rate: no limit.
 */
export function rateLimiter(
  perSecond: number | undefined,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
): RateLimiter {
  if (!perSecond) return { wait: async () => {} };
  const interval = 1000 / perSecond;
  let next = Number.NEGATIVE_INFINITY;
  return {
    async wait() {
      const now = clock.now();
      const slot = Math.max(now, next);
      next = slot + interval;
      if (slot > now) await clock.sleep(slot - now);
    },
  };
}
