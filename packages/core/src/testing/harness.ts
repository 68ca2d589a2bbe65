import type { RateLimit } from '../contracts/rate-limiter.js';
import type { ManualClock } from './manual-clock.js';

/** What a conformance suite hands to a harness when it needs a fresh subject. */
export interface HarnessContext {
  /** The time source the subject must use, so that the suite can move time without sleeping. */
  readonly clock: ManualClock;
  /** The budget a rate limiter under test must enforce. Other subjects ignore it. */
  readonly rateLimit: RateLimit;
}

/**
 * How a conformance suite makes and disposes of the implementation under test. `create` is
 * called once per test and must return a subject with no data in it (a fresh key prefix for a
 * shared server, for example) that takes its time from `context.clock`.
 */
export interface ConformanceHarness<T> {
  /** Makes a fresh, empty subject. */
  create(context: HarnessContext): Promise<T>;
  /** Disposes of a subject made by `create` (close it, delete its keys). */
  destroy(subject: T): Promise<void>;
}
