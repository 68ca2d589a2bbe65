import type { RateLimiter } from '../contracts/rate-limiter.js';
import { publish } from '../diagnostics/channels.js';
import { sleep } from './sleep.js';

/** How long a caller is willing to wait for a grant. */
export interface GrantWait {
  /** Give up rather than wait past this time (ms since the epoch, by `now`). */
  readonly until: number;
  /** Stops the wait. */
  readonly signal?: AbortSignal | undefined;
  /** @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** The end of a wait for a grant: granted, out of budget for longer than allowed, or aborted. */
export type GrantOutcome =
  | { readonly granted: true }
  | { readonly granted: false; readonly reason: 'budget'; readonly retryAfterMs: number }
  | { readonly granted: false; readonly reason: 'aborted' };

/**
 * Takes one grant for one request to `portal`, waiting as the limiter says: the one wait-for-a-
 * grant loop of Baton's packages. It never waits past `until`: when the next grant would come
 * later, it ends at once with `reason: 'budget'` and how long the wait would have been.
 */
export async function waitForGrant(
  limiter: RateLimiter,
  portal: string,
  wait: GrantWait,
): Promise<GrantOutcome> {
  const now = wait.now ?? Date.now;
  const started = now();
  let waited = false;
  // A request that had to wait (or gave up waiting) is published for metrics; one granted at once is not.
  const report = (outcome: 'granted' | 'budget' | 'aborted') =>
    publish('rateLimitWait', () => ({ portal, waitedMs: Math.max(0, now() - started), outcome }));
  for (;;) {
    if (wait.signal?.aborted) {
      report('aborted');
      return { granted: false, reason: 'aborted' };
    }
    const decision = await limiter.acquire(portal);
    if (decision.granted) {
      if (waited) report('granted');
      return { granted: true };
    }
    const retryAfterMs = Math.max(1, decision.retryAfterMs);
    if (now() + retryAfterMs > wait.until) {
      report('budget');
      return { granted: false, reason: 'budget', retryAfterMs };
    }
    waited = true;
    if (!(await sleep(retryAfterMs, wait.signal))) {
      report('aborted');
      return { granted: false, reason: 'aborted' };
    }
  }
}
