import type { Clock } from '@baton/core';

/** A clock the test moves by hand (so leases and timers expire without sleeping). */
export interface TestClock extends Clock {
  advance(ms: number): number;
}

export function testClock(start = 1_700_000_000_000): TestClock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
      return current;
    },
  };
}
