import { afterEach, beforeEach } from 'vitest';
import type { RateLimit } from '../contracts/rate-limiter.js';
import type { ConformanceHarness } from './harness.js';
import { createManualClock, type ManualClock } from './manual-clock.js';

/** The subject of one test and the clock it runs on. */
export interface SubjectRef<T> {
  readonly subject: T;
  readonly clock: ManualClock;
}

const unusedRateLimit: RateLimit = { ratePerSecond: 2, burst: 50 };

/**
 * Registers hooks that create a fresh subject with a fresh manual clock before each test of the
 * enclosing `describe` and destroy it after; returns an accessor for the current one.
 */
export function useSubject<T>(
  harness: ConformanceHarness<T>,
  rateLimit: RateLimit = unusedRateLimit,
): () => SubjectRef<T> {
  let current: SubjectRef<T> | undefined;
  beforeEach(async () => {
    const clock = createManualClock();
    current = { subject: await harness.create({ clock, rateLimit }), clock };
  });
  afterEach(async () => {
    const finished = current;
    current = undefined;
    if (finished !== undefined) await harness.destroy(finished.subject);
  });
  return () => {
    if (current === undefined) throw new Error('The conformance subject is only available inside a test');
    return current;
  };
}
