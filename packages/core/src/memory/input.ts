import { z } from 'zod';
import type { Clock } from '../contracts/clock.js';
import { parseOrThrow } from '../errors/validation.js';
import { BatonError, invalidInput } from '../errors.js';

/**
 * Parses a public entry point's argument, or throws a coded `INVALID_INPUT` error that lists
 * every problem. Callers parse before touching any state, so bad input changes nothing.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  return parseOrThrow(schema, value, what, (failure) => invalidInput(what, failure.cause));
}

/** Accepts anything with a `now()` method, so that tests can pass their own clocks. */
export const clockSchema = z.custom<Clock>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as { now?: unknown }).now === 'function',
  'clock must be an object with a now() method',
);

/** A whole number of milliseconds that is not negative. */
export const durationMsSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A whole number of milliseconds that is greater than zero. */
export const positiveDurationMsSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * Remembers whether `close()` was called. Using a closed implementation is a bug in the caller
 * (a worker still running after shutdown), so it fails loudly rather than quietly working on.
 */
export function createClosedGuard(what: string): { assertOpen(): void; close(): void } {
  let closed = false;
  return {
    assertOpen() {
      if (closed) throw new BatonError('STORE_FAILURE', `The ${what} is closed`);
    },
    close() {
      closed = true;
    },
  };
}
