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

  it('with slackMs, accepts a request that arrives up to slackMs early, at an unchanged rate', () => {
    const exact = createLeakyBucket({ ratePerSecond: 2, burst: 50 });
    const slack = createLeakyBucket({ ratePerSecond: 2, burst: 50, slackMs: 20 });
    // The first arrival was late (a cold connection); the 51st, on time by the client's clock, is
    // 15 ms early by the bucket's.
    for (let i = 0; i < 50; i++) {
      exact.offer(1000 + i * 0.1);
      slack.offer(1000 + i * 0.1);
    }
    expect(exact.offer(1485).accepted).toBe(false);
    expect(slack.offer(1485).accepted).toBe(true);
    // No extra burst: the next one is due 500 ms later, less the same slack.
    expect(slack.offer(1485).accepted).toBe(false);
    expect(slack.offer(1979).accepted).toBe(false);
    expect(slack.offer(1985).accepted).toBe(true);
  });

  it('refuses a negative or huge slackMs', () => {
    for (const slackMs of [-1, 120_000, Number.NaN]) {
      expect(() => createLeakyBucket({ ratePerSecond: 2, burst: 50, slackMs })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
  });

  it('with slackMs, never lets more than burst + rate * (t + slack) through', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 400 }), (gaps) => {
        const bucket = createLeakyBucket({ ratePerSecond: 2, burst: 10, slackMs: 100 });
        let now = 0;
        let accepted = 0;
        for (const gap of gaps) {
          now += gap;
          if (bucket.offer(now).accepted) accepted += 1;
        }
        return accepted <= 10 + (2 * (now + 100)) / 1000 + 1e-9;
      }),
    );
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
