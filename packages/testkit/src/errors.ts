import { CodedError, isCodedError, parseOrThrow, validationFailure } from '@baton/core/adapter';
import type { ZodError, z } from 'zod';

/** Every code a `TestkitError` can carry. */
export type TestkitErrorCode =
  /** An option or argument of the programmatic API failed validation; nothing was changed. */
  | 'INVALID_INPUT'
  /** The emulator was asked to listen on a host that is not loopback. */
  | 'NON_LOOPBACK_HOST'
  /** A portal, user, bot, line or chat named by the caller does not exist. */
  | 'NOT_FOUND'
  /** The emulated platform refused the action; `context.platformCode` says why. */
  | 'PLATFORM_REFUSED'
  /** The emulator is closed and takes no more work. */
  | 'CLOSED';

/** Context that helps to find the cause; never contains secrets. */
export interface TestkitErrorContext {
  readonly portal?: string;
  readonly chatId?: number;
  /** For `PLATFORM_REFUSED`: the platform error code, e.g. `ACCESS_DENIED`. */
  readonly platformCode?: string;
  /** For `INVALID_INPUT`: each problem as `path: message`. */
  readonly issues?: readonly string[];
}

/** The one error class of `@baton/testkit`. Check with `isTestkitError` or `error.code`. */
export class TestkitError extends CodedError<TestkitErrorCode, TestkitErrorContext> {
  override readonly name = 'TestkitError';
}

/**
 * Narrows `value` to a `TestkitError` (by its brand, not `instanceof`), optionally of one code.
 *
 * @example
 * ```ts
 * try { portal.chat(999); } catch (error) { if (isTestkitError(error, 'NOT_FOUND')) … }
 * ```
 */
export function isTestkitError(value: unknown, code?: TestkitErrorCode): value is TestkitError {
  return isCodedError(value, 'TestkitError', code);
}

/** Wraps a zod failure as an `INVALID_INPUT` error that lists every problem. */
export function invalidInput(what: string, error: ZodError): TestkitError {
  const failure = validationFailure(what, error);
  return new TestkitError('INVALID_INPUT', failure.message, {
    context: { issues: failure.issues },
    cause: failure.cause,
  });
}

/** Parses `input` with `schema`, throwing `INVALID_INPUT` on failure. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  return parseOrThrow(schema, input, what, (failure) => invalidInput(what, failure.cause));
}
