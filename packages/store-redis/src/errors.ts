import { CodedError, isCodedError, parseOrThrow, validationFailure } from '@baton/core/adapter';
import type { ZodError, z } from 'zod';

/** Every code a `RedisStoreError` can carry. */
export type RedisStoreErrorCode =
  /** The factory's options failed validation; nothing was opened. */
  | 'INVALID_OPTIONS'
  /** A method's argument failed validation; nothing was changed. */
  | 'INVALID_INPUT'
  /** A record read back from Redis is not what this package wrote (foreign or corrupt data). */
  | 'CORRUPT_RECORD'
  /** A script answered with a status this package does not know (a version mismatch). */
  | 'UNEXPECTED_REPLY'
  /** Redis itself failed: connection lost, timeout, `READONLY`, `CROSSSLOT`, … (see `cause`). */
  | 'REDIS_FAILURE'
  /** The store, limiter or lock manager was closed. */
  | 'CLOSED';

/** Context that helps to find the cause; never contains secrets. */
export interface RedisStoreErrorContext {
  readonly portal?: string;
  readonly chatId?: number;
  /** The Redis operation (script or command) that failed. */
  readonly operation?: string;
  /** For `INVALID_OPTIONS` / `INVALID_INPUT`: each problem as `path: message`. */
  readonly issues?: readonly string[];
}

/** The one error class of `@baton/store-redis`. Check with `isRedisStoreError` or `error.code`. */
export class RedisStoreError extends CodedError<RedisStoreErrorCode, RedisStoreErrorContext> {
  override readonly name = 'RedisStoreError';
}

/** Narrows `value` to a `RedisStoreError` (by its brand, not `instanceof`), optionally of one code. */
export function isRedisStoreError(value: unknown, code?: RedisStoreErrorCode): value is RedisStoreError {
  return isCodedError(value, 'RedisStoreError', code);
}

/** Wraps a zod failure as a coded error listing every problem. */
export function fromZodError(
  code: 'INVALID_OPTIONS' | 'INVALID_INPUT',
  what: string,
  error: ZodError,
): RedisStoreError {
  const failure = validationFailure(what, error);
  return new RedisStoreError(code, failure.message, {
    context: { issues: failure.issues },
    cause: failure.cause,
  });
}

/** Parses `value` with `schema`, or throws `code` (`INVALID_INPUT` by default) listing every problem. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  code: 'INVALID_OPTIONS' | 'INVALID_INPUT' = 'INVALID_INPUT',
): z.output<S> {
  return parseOrThrow(schema, value, what, (failure) => fromZodError(code, what, failure.cause));
}

/** Wraps anything Redis threw as `REDIS_FAILURE`, keeping our own errors as they are. */
export function asRedisFailure(error: unknown, operation: string): RedisStoreError {
  if (isRedisStoreError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new RedisStoreError('REDIS_FAILURE', `Redis ${operation} failed: ${reason}`, {
    context: { operation },
    cause: error,
  });
}
