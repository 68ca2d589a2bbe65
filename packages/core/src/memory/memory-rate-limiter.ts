import { z } from 'zod';
import { portalIdSchema } from '../chat-key.js';
import { type Clock, systemClock } from '../contracts/clock.js';
import {
  defaultRateLimit,
  type RateDecision,
  type RateLimit,
  type RateLimiter,
} from '../contracts/rate-limiter.js';
import { clockSchema, createClosedGuard, durationMsSchema, parseInput } from './input.js';

/** Options of `createMemoryRateLimiter`. */
export interface MemoryRateLimiterOptions {
  /**
   * The time source the bucket drains on.
   * @defaultValue `systemClock` (`Date.now`)
   */
  readonly clock?: Clock;
  /**
   * The budget: one for every portal, or one per portal (asked on every `acquire`, so it may change).
   * @defaultValue `defaultRateLimit` (2 requests/s, burst 50)
   */
  readonly limit?: RateLimit | ((portal: string) => RateLimit);
}

/** A valid budget: a positive drain rate and a whole, positive burst. */
export const rateLimitSchema = z.object({
  ratePerSecond: z.number().positive().max(1_000_000),
  burst: z.number().int().positive().max(1_000_000),
});

const limitFunctionSchema = z.custom<(portal: string) => RateLimit>((value) => typeof value === 'function');
const optionsSchema = z
  .object({
    clock: clockSchema.optional(),
    // A function or a budget; checked in two steps so that a bad budget reports its own fields.
    limit: z.unknown().optional(),
  })
  .default({});

/** Float sums of `1000 / rate` drift by far less than this; it keeps an exact wait from being refused. */
const epsilonMs = 1e-6;

/**
 * Creates an exact per-portal rate limiter for one process: GCRA, the leaky bucket expressed as
 * one "theoretical arrival time" per portal. On an empty bucket exactly `burst` requests are
 * granted at once, then one every `1000 / ratePerSecond` ms. A refusal says how long to wait.
 * Use `@baton/store-redis`'s limiter to share one budget between processes.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimiter } from '@baton/core';
 *
 * const limiter = createMemoryRateLimiter({ limit: { ratePerSecond: 5, burst: 250 } });
 * const decision = await limiter.acquire('a1b2c3');
 * if (!decision.granted) await new Promise((r) => setTimeout(r, decision.retryAfterMs));
 * ```
 */
export function createMemoryRateLimiter(options?: MemoryRateLimiterOptions): RateLimiter {
  const parsed = parseInput(optionsSchema, options, 'memory rate limiter options');
  const clock = parsed.clock ?? systemClock;
  const limitOption =
    parsed.limit === undefined
      ? defaultRateLimit
      : typeof parsed.limit === 'function'
        ? parseInput(limitFunctionSchema, parsed.limit, 'rate limit function')
        : parseInput(rateLimitSchema, parsed.limit, 'rate limit');
  const guard = createClosedGuard('memory rate limiter');
  /** Portal → the time at which the bucket would be empty again (ms). */
  const arrivalTimes = new Map<string, number>();

  function limitFor(portal: string): { intervalMs: number; toleranceMs: number } {
    const limit =
      typeof limitOption === 'function'
        ? parseInput(rateLimitSchema, limitOption(portal), `rate limit for portal ${portal}`)
        : limitOption;
    const intervalMs = 1000 / limit.ratePerSecond;
    return { intervalMs, toleranceMs: (limit.burst - 1) * intervalMs };
  }

  return {
    scope: 'process',
    async acquire(portal): Promise<RateDecision> {
      guard.assertOpen();
      const validPortal = parseInput(portalIdSchema, portal, 'portal');
      const { intervalMs, toleranceMs } = limitFor(validPortal);
      const now = clock.now();
      const arrival = Math.max(arrivalTimes.get(validPortal) ?? now, now);
      const waitMs = arrival - now - toleranceMs;
      if (waitMs > epsilonMs) return { granted: false, retryAfterMs: Math.ceil(waitMs - epsilonMs) };
      arrivalTimes.set(validPortal, arrival + intervalMs);
      return { granted: true };
    },

    async penalize(portal, backoffMs) {
      guard.assertOpen();
      const validPortal = parseInput(portalIdSchema, portal, 'portal');
      const validBackoff = parseInput(durationMsSchema, backoffMs, 'backoffMs');
      const { toleranceMs } = limitFor(validPortal);
      const now = clock.now();
      // The next grant needs arrival - tolerance <= time, so this arrival blocks until now + backoff
      // and then lets requests through one interval at a time: the platform's bucket is full.
      const blockedArrival = now + validBackoff + toleranceMs;
      arrivalTimes.set(validPortal, Math.max(arrivalTimes.get(validPortal) ?? now, blockedArrival));
    },

    async close() {
      guard.close();
    },
  };
}
