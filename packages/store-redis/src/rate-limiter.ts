import { defaultRateLimit, type RateLimit, type RateLimiter } from '@baton/core';
import { portalIdSchema } from '@baton/core/adapter';
import { z } from 'zod';
import { openConnection } from './connection.js';
import { guarded } from './context.js';
import { parseInput, RedisStoreError } from './errors.js';
import { createKeySpace } from './keys.js';
import {
  connectionShape,
  exactlyOneConnection,
  oneConnectionMessage,
  parseOptions,
  type RedisConnectionOptions,
} from './options.js';
import { replyArray, replyNumber } from './scripts/index.js';

/** Options of `createRedisRateLimiter`. */
export interface RedisRateLimiterOptions extends RedisConnectionOptions {
  /**
   * The budget per portal: one for all, or chosen per portal (e.g. 5/250 for Enterprise).
   *
   * @defaultValue `{ ratePerSecond: 2, burst: 50 }` (the platform's default)
   */
  readonly limit?: RateLimit | ((portal: string) => RateLimit);
}

const rateLimitSchema = z.object({
  ratePerSecond: z.number().positive().max(1_000_000),
  burst: z.number().int().positive().max(1_000_000),
});

const limiterOptionsSchema = z
  .object({
    ...connectionShape,
    limit: z
      .union([rateLimitSchema, z.custom<(portal: string) => RateLimit>((v) => typeof v === 'function')])
      .default(defaultRateLimit),
  })
  .refine(exactlyOneConnection, oneConnectionMessage);

const backoffSchema = z
  .number()
  .int()
  .nonnegative()
  .max(24 * 60 * 60 * 1000);

/**
 * A per-portal rate limiter shared by every worker: GCRA in one Lua script on Redis time,
 * exact across any number of clients. `penalize` (after a `QUERY_LIMIT_EXCEEDED`) holds back
 * every worker of that portal.
 *
 * @example
 * ```ts
 * const limiter = createRedisRateLimiter({ url: 'redis://127.0.0.1:6379', limit: { ratePerSecond: 2, burst: 50 } });
 * const decision = await limiter.acquire('b24-abc');
 * if (!decision.granted) await sleep(decision.retryAfterMs);
 * ```
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const parsed = parseOptions(limiterOptionsSchema, options, 'Redis rate limiter options');
  const connection = openConnection({ ...parsed, what: 'rate limiter' });
  const keys = createKeySpace(parsed.prefix);
  const limitFor = (portal: string) => {
    const limit = typeof parsed.limit === 'function' ? parsed.limit(portal) : parsed.limit;
    const checked = parseInput(rateLimitSchema, limit, `rate limit for ${portal}`, 'INVALID_OPTIONS');
    return { interval: 1000 / checked.ratePerSecond, burst: checked.burst };
  };
  const parsePortal = (portal: string) => {
    const checked = parseInput(portalIdSchema, portal, 'portal');
    return checked;
  };

  return {
    scope: 'shared',
    async acquire(portal) {
      const id = parsePortal(portal);
      const { interval, burst } = limitFor(id);
      return guarded('acquire', async () => {
        const reply = replyArray(
          await connection.run(
            'batonRateAcquire',
            [keys.rateLimit(id)],
            [connection.nowArgument(), interval, burst],
          ),
          'batonRateAcquire',
        );
        const granted = replyNumber(reply[0], 'batonRateAcquire');
        if (granted === 1) return { granted: true };
        if (granted === 0) {
          return { granted: false, retryAfterMs: replyNumber(reply[1], 'batonRateAcquire') };
        }
        throw new RedisStoreError('UNEXPECTED_REPLY', `batonRateAcquire answered ${granted}`);
      });
    },
    async penalize(portal, backoffMs) {
      const id = parsePortal(portal);
      const backoff = parseInput(backoffSchema, backoffMs, 'backoffMs');
      const { interval, burst } = limitFor(id);
      await guarded('penalize', () =>
        connection.run(
          'batonRatePenalize',
          [keys.rateLimit(id)],
          [connection.nowArgument(), interval, burst, Math.ceil(backoff)],
        ),
      );
    },
    close: () => connection.close(),
  };
}
