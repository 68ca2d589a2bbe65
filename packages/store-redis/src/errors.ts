import type { ZodError } from 'zod';

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
export class RedisStoreError extends Error {
  override readonly name = 'RedisStoreError';
  readonly code: RedisStoreErrorCode;
  readonly context: RedisStoreErrorContext;

  constructor(
    code: RedisStoreErrorCode,
    message: string,
    options: { context?: RedisStoreErrorContext; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** Narrows `value` to a `RedisStoreError`, optionally of one code. */
export function isRedisStoreError(value: unknown, code?: RedisStoreErrorCode): value is RedisStoreError {
  return value instanceof RedisStoreError && (code === undefined || value.code === code);
}

/** Wraps a zod failure as a coded error listing every problem. */
export function fromZodError(
  code: 'INVALID_OPTIONS' | 'INVALID_INPUT',
  what: string,
  error: ZodError,
): RedisStoreError {
  const issues = error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  return new RedisStoreError(code, `Invalid ${what}: ${issues.join('; ')}`, {
    context: { issues },
    cause: error,
  });
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
