/**
 * Milliseconds since the Unix epoch with sub-millisecond precision. Built on the monotonic
 * `performance.now()` so that two readings never go backwards, which the request log and the
 * leaky bucket rely on.
 */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A sequence of integers starting at `first`: deterministic ids keep tests readable. */
export interface Counter {
  next(): number;
}

export function createCounter(first: number): Counter {
  let value = first;
  return { next: () => value++ };
}
