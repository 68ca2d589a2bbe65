import { z } from 'zod';
import { parseInput } from './errors.js';

/** The platform's request limit: a bucket that drains at a steady rate and holds a burst. */
export interface LeakyBucketLimits {
  /**
   * Requests drained per second.
   * @defaultValue 2
   */
  readonly ratePerSecond: number;
  /**
   * Requests the bucket holds; one more is refused.
   * @defaultValue 50
   */
  readonly burst: number;
  /**
   * How early, by the bucket's clock, a request may arrive and still be accepted: the bucket
   * judges it as if it had arrived `slackMs` later (it still fills the bucket at its real arrival
   * time, so the sustained rate is unchanged). A client that paces itself by send time (the
   * official SDK: 50 at once, then 2/s) measures from its first send, while the bucket drains from
   * the first arrival, which a cold connection delays; without slack the 51st request, sent on a
   * warm connection exactly on time, arrives a few milliseconds early and is refused.
   * @defaultValue 0 (exact)
   */
  readonly slackMs?: number | undefined;
}

/** The outcome of offering one request to the bucket, as a value. */
export interface BucketDecision {
  readonly accepted: boolean;
  /** Requests in the bucket after the decision. */
  readonly level: number;
  /** When refused: milliseconds until one request's room has drained. */
  readonly retryAfterMs: number;
}

/**
 * An exact leaky bucket. Time is passed in, never read, so that tests can drive it without
 * sleeping. A refused request does not fill the bucket, as the platform counts only what it
 * serves.
 *
 * @example
 * ```ts
 * const bucket = createLeakyBucket({ ratePerSecond: 2, burst: 50 });
 * for (let i = 0; i < 50; i++) bucket.offer(0);   // all accepted
 * bucket.offer(0).accepted;                       // false
 * bucket.offer(500).accepted;                     // true: one request drained in 500 ms
 * ```
 */
export interface LeakyBucket {
  offer(nowMs: number): BucketDecision;
  /** The level at `nowMs` without offering anything. */
  level(nowMs: number): number;
}

/** What `LeakyBucketLimits` accepts: a positive finite rate, a positive whole burst. */
export const leakyBucketLimitsSchema = z.strictObject({
  ratePerSecond: z.number().positive().finite(),
  burst: z.number().int().positive(),
  slackMs: z.number().nonnegative().max(60_000).optional(),
});

/**
 * The bucket the emulator keeps per portal, for a test that replays the request log against it.
 * Throws `INVALID_INPUT` for limits that are not positive numbers (a whole `burst`).
 */
export function createLeakyBucket(input: LeakyBucketLimits): LeakyBucket {
  const limits = parseInput(leakyBucketLimitsSchema, input, 'leaky bucket limits');
  const slackMs = limits.slackMs ?? 0;
  let level = 0;
  let updatedAt = Number.NEGATIVE_INFINITY;
  const drainTo = (nowMs: number): number => {
    if (updatedAt === Number.NEGATIVE_INFINITY) return 0;
    const elapsed = Math.max(0, nowMs - updatedAt);
    return Math.max(0, level - (elapsed * limits.ratePerSecond) / 1000);
  };
  // Float drift must not refuse a request that is exactly on time (49.999999 + 1 > 50).
  const epsilon = 1e-9;
  return {
    offer(nowMs) {
      const drained = drainTo(nowMs);
      // Judged as if it had arrived `slackMs` later; filled at its real arrival.
      const judged = slackMs === 0 ? drained : drainTo(nowMs + slackMs);
      level = drained;
      updatedAt = Math.max(updatedAt, nowMs);
      if (judged + 1 > limits.burst + epsilon) {
        const excess = judged + 1 - limits.burst;
        return { accepted: false, level, retryAfterMs: (excess * 1000) / limits.ratePerSecond };
      }
      level = drained + 1;
      return { accepted: true, level, retryAfterMs: 0 };
    },
    level: drainTo,
  };
}
