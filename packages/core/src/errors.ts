import type { ZodError } from 'zod';
import { CodedError, isCodedError } from './errors/coded-error.js';
import { validationFailure } from './errors/validation.js';

/** Every code a `BatonError` can carry. */
export type BatonErrorCode =
  /** An event, option or argument failed validation; nothing was changed. */
  | 'INVALID_INPUT'
  /** A snapshot read back from a store does not match the machine. */
  | 'CORRUPT_SNAPSHOT'
  /**
   * The chat was written by a newer schema version than this engine reads: it is left untouched
   * for a newer worker (a rolling deploy), and the event should be retried there.
   */
  | 'SNAPSHOT_FROM_NEWER_VERSION'
  /** The chat kept changing under this worker; the commit was retried too many times. */
  | 'CONFLICT_RETRIES_EXHAUSTED'
  /** The engine is stopping or stopped and takes no more work. */
  | 'ENGINE_STOPPED'
  /** A store operation failed. */
  | 'STORE_FAILURE'
  /** The chat named has never been committed. */
  | 'CHAT_NOT_FOUND'
  /** Routing found no target for a transfer. */
  | 'NO_ROUTE'
  /** A rate limiter was given to the engine; it belongs to the transport. */
  | 'RATE_LIMITER_MISPLACED'
  /** A shared store with a rate limiter of one process: workers would not share the portal's budget. */
  | 'UNSHARED_RATE_LIMITER';

/** Context that helps to find the cause; never contains secrets. */
export interface BatonErrorContext {
  readonly portal?: string;
  readonly chatId?: number;
  readonly eventId?: string;
  /** For `INVALID_INPUT`: each problem as `path: message`. */
  readonly issues?: readonly string[];
}

/** The one error class of `@baton/core`. Check with `isBatonError` or `error.code`. */
export class BatonError extends CodedError<BatonErrorCode, BatonErrorContext> {
  override readonly name = 'BatonError';
}

/** Narrows `value` to a `BatonError` (by its brand, not `instanceof`), optionally of one code. */
export function isBatonError(value: unknown, code?: BatonErrorCode): value is BatonError {
  return isCodedError(value, 'BatonError', code);
}

/** Wraps a zod failure as an `INVALID_INPUT` error that lists every problem. */
export function invalidInput(what: string, error: ZodError, context: BatonErrorContext = {}): BatonError {
  const failure = validationFailure(what, error);
  return new BatonError('INVALID_INPUT', failure.message, {
    context: { ...context, issues: failure.issues },
    cause: failure.cause,
  });
}
