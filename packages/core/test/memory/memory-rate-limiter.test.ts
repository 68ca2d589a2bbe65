import { createMemoryRateLimiter, defaultRateLimit, isBatonError } from '@baton/core';
import { createManualClock } from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

async function drain(limiter: ReturnType<typeof createMemoryRateLimiter>, portal: string): Promise<number> {
  let granted = 0;
  while ((await limiter.acquire(portal)).granted) granted += 1;
  return granted;
}

describe('createMemoryRateLimiter', () => {
  it('defaults to the platform limit: 50 at once, then one every 500 ms', async () => {
    const clock = createManualClock();
    const limiter = createMemoryRateLimiter({ clock });
    expect(await drain(limiter, 'portal-a')).toBe(defaultRateLimit.burst);
    expect(await limiter.acquire('portal-a')).toEqual({ granted: false, retryAfterMs: 500 });
  });

  it('is exact for rates whose interval is not a whole number of milliseconds', async () => {
    const clock = createManualClock();
    const limiter = createMemoryRateLimiter({ clock, limit: { ratePerSecond: 3, burst: 2 } });
    const start = clock.now();
    expect(await drain(limiter, 'portal-a')).toBe(2);
    expect(await limiter.acquire('portal-a')).toEqual({ granted: false, retryAfterMs: 334 });
    let granted = 2;
    for (let elapsed = 1; elapsed <= 10_000; elapsed += 1) {
      clock.set(start + elapsed);
      granted += await drain(limiter, 'portal-a');
      expect(granted).toBeLessThanOrEqual(2 + Math.floor((elapsed * 3) / 1000));
    }
    expect(granted).toBe(2 + 30);
  });

  it('asks a limit function per portal, so portals can have different budgets', async () => {
    const limiter = createMemoryRateLimiter({
      clock: createManualClock(),
      limit: (portal) => (portal === 'enterprise' ? { ratePerSecond: 5, burst: 250 } : defaultRateLimit),
    });
    expect(await drain(limiter, 'enterprise')).toBe(250);
    expect(await drain(limiter, 'standard')).toBe(50);
  });

  it('after a penalty lets one request through, then one per interval: the platform bucket is full', async () => {
    const clock = createManualClock();
    const limiter = createMemoryRateLimiter({ clock, limit: { ratePerSecond: 2, burst: 10 } });
    await limiter.penalize('portal-a', 1_000);
    expect(await limiter.acquire('portal-a')).toEqual({ granted: false, retryAfterMs: 1_000 });
    clock.advance(1_000);
    expect(await drain(limiter, 'portal-a')).toBe(1);
    clock.advance(500);
    expect(await drain(limiter, 'portal-a')).toBe(1);
  });

  it('rejects bad input with INVALID_INPUT, including a bad limit from the limit function', async () => {
    const limiter = createMemoryRateLimiter({ limit: () => ({ ratePerSecond: 0, burst: 1 }) });
    const errors = await Promise.all([
      limiter.acquire('').catch((error: unknown) => error),
      limiter.penalize('portal-a', -1).catch((error: unknown) => error),
      limiter.acquire('portal-a').catch((error: unknown) => error),
    ]);
    for (const error of errors) expect(isBatonError(error, 'INVALID_INPUT')).toBe(true);
    expect(() => createMemoryRateLimiter({ limit: { ratePerSecond: 2, burst: 0.5 } })).toThrow(/burst/);
  });

  it('close is idempotent; a closed limiter refuses work', async () => {
    const limiter = createMemoryRateLimiter();
    await limiter.close();
    await limiter.close();
    await expect(limiter.acquire('portal-a')).rejects.toThrow(/closed/);
  });
});
