/** A portal's request budget: a leaky bucket that drains `ratePerSecond` and holds `burst`. */
export interface RateLimit {
  /** Requests per second the bucket drains. The platform's default is 2 (Enterprise: 5). */
  readonly ratePerSecond: number;
  /** How many requests may arrive at once on an empty bucket. The platform's default is 50 (Enterprise: 250). */
  readonly burst: number;
}

/** The platform's default limit: 2 requests/s, burst 50. */
export const defaultRateLimit: RateLimit = { ratePerSecond: 2, burst: 50 };

/** A rate-limit decision is a value, not an exception. */
export type RateDecision =
  | { readonly granted: true }
  | {
      readonly granted: false;
      /** How long to wait before the next request can be granted. */
      readonly retryAfterMs: number;
    };

/**
 * A per-portal request budget shared by every caller of that portal (every worker, with a shared
 * store). Exact: never grants more than the bucket allows over any window.
 *
 * Deliberately left out: queueing and waiting. `acquire` answers at once; callers decide whether
 * to wait (`retryAfterMs`) or give up.
 */
export interface RateLimiter {
  /**
   * Who shares this limiter's buckets: `process` (this process alone, e.g. the memory limiter) or
   * `shared` (every process using the same server, e.g. Redis). The engine refuses a `process`
   * limiter next to a `shared` store: several workers would each spend the portal's budget.
   */
  readonly scope?: 'process' | 'shared';
  /** Takes one request's worth of budget for `portal` if available. */
  acquire(portal: string): Promise<RateDecision>;
  /**
   * The platform refused a request with `QUERY_LIMIT_EXCEEDED` anyway (another client shares the
   * bucket): push this portal's next allowed time at least `backoffMs` into the future, for every
   * caller.
   */
  penalize(portal: string, backoffMs: number): Promise<void>;
  /** Releases what the limiter opened. Idempotent. */
  close(): Promise<void>;
}

/**
 * The limit to grant requests by, for a portal whose bucket is `limit`: the same drain rate with a
 * part of the burst held in reserve. Requests reach the portal a little later than they were
 * granted, by uneven amounts, so granting right up to a full bucket overfills it now and then
 * (one `QUERY_LIMIT_EXCEEDED` in a long burst). The reserve absorbs that: a request may reach the
 * portal up to `reserve / ratePerSecond` seconds later than others granted after it. The default
 * keeps at least one second of drain in reserve, because the first requests of freshly started
 * workers (new connections, code loaded on first use) are late by hundreds of milliseconds: with a
 * small bucket such as 5/s and burst 20, 10% (2 requests, 0.4 s) was not enough at start-up.
 *
 * @param reserve - requests of the burst not granted. @defaultValue 10% of the burst or one
 * second of drain, whichever is more, at least 1 (and never the whole burst)
 * @example `createMemoryRateLimiter({ limit: withHeadroom({ ratePerSecond: 5, burst: 250 }) })`
 */
export function withHeadroom(
  limit: RateLimit,
  reserve = Math.min(
    limit.burst - 1,
    Math.max(1, Math.ceil(limit.burst * 0.1), Math.ceil(limit.ratePerSecond)),
  ),
): RateLimit {
  return { ratePerSecond: limit.ratePerSecond, burst: Math.max(1, limit.burst - reserve) };
}
