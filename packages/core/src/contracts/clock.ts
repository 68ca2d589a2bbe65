/**
 * The source of "now" for everything in Baton that measures time.
 * Inject a controllable clock in tests; the default is `Date.now`.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
