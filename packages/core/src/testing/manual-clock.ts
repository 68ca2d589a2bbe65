import { z } from 'zod';
import type { Clock } from '../contracts/clock.js';
import { parseInput } from '../memory/input.js';

/** A clock that moves only when told to. */
export interface ManualClock extends Clock {
  /** The current time (ms since epoch). */
  now(): number;
  /** Moves the clock forward by `ms` (not negative) and returns the new time. */
  advance(ms: number): number;
  /** Sets the clock to `ms`, forwards or back, and returns it. */
  set(ms: number): number;
}

const instantSchema = z.number().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * Creates a clock for tests: pass it to stores, limiters, lock managers and the engine, then
 * `advance` it instead of sleeping.
 *
 * @param start - The initial time (ms since epoch).
 * @defaultValue `start`: `1_700_000_000_000` (November 2023)
 * @example
 * ```ts
 * import { createMemoryStore } from '@baton/core';
 * import { createManualClock } from '@baton/core/testing';
 *
 * const clock = createManualClock();
 * const store = createMemoryStore({ clock });
 * // … commit a timer with delayMs: 30_000 …
 * clock.advance(30_000);
 * const due = await store.claimDueTimers({ limit: 10, visibilityMs: 5_000 });
 * ```
 */
export function createManualClock(start = 1_700_000_000_000): ManualClock {
  let current = parseInput(instantSchema, start, 'manual clock start');
  return {
    now: () => current,
    advance(ms) {
      current += parseInput(instantSchema, ms, 'manual clock advance');
      return current;
    },
    set(ms) {
      current = parseInput(instantSchema, ms, 'manual clock time');
      return current;
    },
  };
}
