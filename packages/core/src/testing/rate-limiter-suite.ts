import { describe, expect, it } from 'vitest';
import type { RateLimit, RateLimiter } from '../contracts/rate-limiter.js';
import type { ConformanceHarness } from './harness.js';
import { useSubject } from './use-subject.js';

const portalA = 'conformance-portal-a';
const portalB = 'conformance-portal-b';

/**
 * The budgets the suite runs under: the platform's default and a small one that makes edge cases
 * cheap to reach. Their intervals are whole milliseconds so that exact counts are fair to ask of
 * stores that keep time in integers.
 */
const suiteLimits: readonly RateLimit[] = [
  { ratePerSecond: 2, burst: 50 },
  { ratePerSecond: 4, burst: 3 },
];

/**
 * Registers a vitest `describe` block that pins the `RateLimiter` contract, once per budget the
 * suite chooses (it passes each as `context.rateLimit`; the harness must build a limiter that
 * enforces it and reads time from `context.clock`): exactly `burst` immediate grants on an empty
 * bucket, then one per `1000 / ratePerSecond` ms, refusals whose `retryAfterMs` can be trusted,
 * never more than the bucket over any window, `penalize` blocking every caller of the portal,
 * portals independent, and concurrent callers never overdrawing.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimiter } from '@baton/core';
 * import { rateLimiterConformanceSuite } from '@baton/core/testing';
 *
 * rateLimiterConformanceSuite('memory rate limiter', {
 *   create: async ({ clock, rateLimit }) => createMemoryRateLimiter({ clock, limit: rateLimit }),
 *   destroy: (limiter) => limiter.close(),
 * });
 * ```
 */
export function rateLimiterConformanceSuite<T extends RateLimiter>(
  label: string,
  harness: ConformanceHarness<T>,
): void {
  describe(`RateLimiter conformance: ${label}`, () => {
    for (const limit of suiteLimits) {
      describe(`${limit.ratePerSecond}/s, burst ${limit.burst}`, () => registerRules(harness, limit));
    }
  });
}

function registerRules<T extends RateLimiter>(harness: ConformanceHarness<T>, limit: RateLimit): void {
  const get = useSubject(harness, limit);
  const intervalMs = 1000 / limit.ratePerSecond;

  async function drain(portal: string): Promise<number> {
    let granted = 0;
    while ((await get().subject.acquire(portal)).granted) granted += 1;
    return granted;
  }

  it('grants exactly `burst` requests at once on an empty bucket, then refuses with a sane retryAfterMs', async () => {
    const { subject } = get();
    for (let request = 0; request < limit.burst; request += 1) {
      expect(await subject.acquire(portalA)).toEqual({ granted: true });
    }
    const refusal = await subject.acquire(portalA);
    expect(refusal.granted).toBe(false);
    if (refusal.granted) return;
    expect(refusal.retryAfterMs).toBeGreaterThan(0);
    expect(refusal.retryAfterMs).toBeLessThanOrEqual(Math.ceil(intervalMs));
  });

  it('after a refusal, waiting retryAfterMs is enough for one more grant', async () => {
    const { subject, clock } = get();
    await drain(portalA);
    const refusal = await subject.acquire(portalA);
    if (refusal.granted) throw new Error('expected a refusal on an empty bucket');
    clock.advance(refusal.retryAfterMs);
    expect(await subject.acquire(portalA)).toEqual({ granted: true });
    expect((await subject.acquire(portalA)).granted).toBe(false);
  });

  it('grants one more request every 1000 / ratePerSecond ms, not sooner', async () => {
    const { subject, clock } = get();
    expect(await drain(portalA)).toBe(limit.burst);
    for (let round = 0; round < 3; round += 1) {
      clock.advance(intervalMs - 1);
      expect((await subject.acquire(portalA)).granted).toBe(false);
      clock.advance(1);
      expect(await subject.acquire(portalA)).toEqual({ granted: true });
      expect((await subject.acquire(portalA)).granted).toBe(false);
    }
  });

  it('over a long window never grants more than the bucket allows, and no fewer', async () => {
    const { clock } = get();
    const start = clock.now();
    const stepMs = 50;
    let granted = 0;
    for (let elapsed = 0; elapsed <= 10_000; elapsed += stepMs) {
      clock.set(start + elapsed);
      granted += await drain(portalA);
      expect(granted).toBeLessThanOrEqual(limit.burst + Math.floor((elapsed * limit.ratePerSecond) / 1000));
    }
    expect(granted).toBe(limit.burst + Math.floor((10_000 * limit.ratePerSecond) / 1000));
  });

  it('penalize blocks every caller of the portal until the backoff has passed', async () => {
    const { subject, clock } = get();
    expect(await subject.acquire(portalA)).toEqual({ granted: true });
    await subject.penalize(portalA, 3_000);
    const refusal = await subject.acquire(portalA);
    expect(refusal.granted).toBe(false);
    if (!refusal.granted) {
      expect(refusal.retryAfterMs).toBeGreaterThan(0);
      expect(refusal.retryAfterMs).toBeLessThanOrEqual(3_000);
    }
    clock.advance(2_999);
    expect((await subject.acquire(portalA)).granted).toBe(false);
    clock.advance(1);
    expect(await subject.acquire(portalA)).toEqual({ granted: true });
  });

  it('penalize blocks a portal never used, and a shorter backoff never shortens a longer one', async () => {
    const { subject, clock } = get();
    await subject.penalize(portalA, 5_000);
    await subject.penalize(portalA, 100);
    expect((await subject.acquire(portalA)).granted).toBe(false);
    clock.advance(4_999);
    expect((await subject.acquire(portalA)).granted).toBe(false);
    clock.advance(1);
    expect(await subject.acquire(portalA)).toEqual({ granted: true });
  });

  it('portals have independent buckets: draining or penalizing one leaves the other whole', async () => {
    const { subject } = get();
    expect(await drain(portalA)).toBe(limit.burst);
    await subject.penalize(portalA, 60_000);
    expect(await drain(portalB)).toBe(limit.burst);
  });

  it('concurrent acquires never take more than the bucket holds', async () => {
    const { subject, clock } = get();
    const burstAtOnce = async () =>
      (await Promise.all(Array.from({ length: limit.burst * 2 + 5 }, () => subject.acquire(portalA)))).filter(
        (decision) => decision.granted,
      ).length;
    expect(await burstAtOnce()).toBe(limit.burst);
    clock.advance(intervalMs * 2);
    expect(await burstAtOnce()).toBe(2);
  });
}
