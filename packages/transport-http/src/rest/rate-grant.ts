import type { RateLimiter } from '@baton/core';
import { waitForGrant } from '@baton/core/adapter';
import { BitrixError } from '../errors.js';

/** Where and until when a caller is willing to wait for a rate-limit grant. */
export interface GrantRequest {
  readonly limiter: RateLimiter;
  readonly portal: string;
  readonly method: string;
  /** Give up (with `RATE_LIMITED`) rather than wait past this time (ms since the epoch). */
  readonly waitUntil: number;
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Takes one grant for one HTTP request (core's `waitForGrant`). Returns `undefined` once granted,
 * or the error that ended the wait: `RATE_LIMITED` (with `retryAfterMs`) when the wait would pass
 * `waitUntil`, `ABORTED` when the signal fired.
 */
export async function takeGrant(request: GrantRequest): Promise<BitrixError | undefined> {
  const context = { method: request.method, portal: request.portal };
  const outcome = await waitForGrant(request.limiter, request.portal, {
    until: request.waitUntil,
    signal: request.signal,
    now: request.now,
  });
  if (outcome.granted) return undefined;
  if (outcome.reason === 'aborted') {
    return new BitrixError(
      'ABORTED',
      `${request.method} on ${request.portal}: aborted while waiting for the rate limit`,
      { ...context, retryable: false, sent: false },
    );
  }
  return new BitrixError(
    'RATE_LIMITED',
    `${request.method} on ${request.portal}: the portal's request budget is spent for the next ${Math.ceil(outcome.retryAfterMs)} ms`,
    { ...context, retryable: true, retryAfterMs: outcome.retryAfterMs, sent: false },
  );
}
