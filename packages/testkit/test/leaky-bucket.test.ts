import { createLeakyBucket, isTestkitError } from '@baton/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('createLeakyBucket', () => {
  it('accepts the burst, refuses the next one, and accepts again after one drain interval', () => {
    const bucket = createLeakyBucket({ ratePerSecond: 2, burst: 50 });
    for (let i = 0; i < 50; i++) expect(bucket.offer(1000).accepted).toBe(true);
    const refused = bucket.offer(1000);
    expect(refused).toEqual({ accepted: false, level: 50, retryAfterMs: 500 });
    expect(bucket.offer(1499).accepted).toBe(false);
    expect(bucket.offer(1500).accepted).toBe(true);
    expect(bucket.offer(1500).accepted).toBe(false);
  });

  it('drains steadily: 5/s with a burst of 250', () => {
    const bucket = createLeakyBucket({ ratePerSecond: 5, burst: 250 });
    for (let i = 0; i < 250; i++) bucket.offer(0);
    expect(bucket.offer(0).accepted).toBe(false);
    expect(bucket.offer(199).accepted).toBe(false);
    expect(bucket.offer(200).accepted).toBe(true);
    // Full again at 200 ms, then 9.8 s of draining at 5/s.
    expect(bucket.level(10_000)).toBeCloseTo(201, 6);
  });

  it('never lets more than burst + rate * t requests through in any window starting empty', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 400 }), (gaps) => {
        const bucket = createLeakyBucket({ ratePerSecond: 2, burst: 10 });
        let now = 0;
        let accepted = 0;
        for (const gap of gaps) {
          now += gap;
          if (bucket.offer(now).accepted) accepted += 1;
        }
        return accepted <= 10 + (2 * now) / 1000 + 1e-9;
      }),
    );
  });

  it.each([
    { ratePerSecond: 0, burst: 50 },
    { ratePerSecond: Number.POSITIVE_INFINITY, burst: 50 },
    { ratePerSecond: 2, burst: 0 },
    { ratePerSecond: 2, burst: 2.5 },
    { ratePerSecond: 2, burst: 50, extra: 1 },
  ])('refuses the limits %j with INVALID_INPUT', (limits) => {
    expect(() => createLeakyBucket(limits)).toThrow(
      expect.toSatisfy((error: unknown) => isTestkitError(error, 'INVALID_INPUT')),
    );
  });
});
