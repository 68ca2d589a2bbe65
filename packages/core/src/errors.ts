import type { ZodError } from 'zod';

/** Every code a `BatonError` can carry. */
export type BatonErrorCode =
  /** An event, option or argument failed validation; nothing was changed. */
  | 'INVALID_INPUT'
  /** A snapshot read back from a store does not match the machine. */
  | 'CORRUPT_SNAPSHOT'
  /** The chat kept changing under this worker; the commit was retried too many times. */
  | 'CONFLICT_RETRIES_EXHAUSTED'
  /** The engine is stopping or stopped and takes no more work. */
  | 'ENGINE_STOPPED'
  /** A store operation failed. */
  | 'STORE_FAILURE'
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
export class BatonError extends Error {
  override readonly name = 'BatonError';
  readonly code: BatonErrorCode;
  readonly context: BatonErrorContext;

  constructor(
    code: BatonErrorCode,
    message: string,
    options: { context?: BatonErrorContext; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** Narrows `value` to a `BatonError`, optionally of one code. */
export function isBatonError(value: unknown, code?: BatonErrorCode): value is BatonError {
  return value instanceof BatonError && (code === undefined || value.code === code);
}

/** Formats zod issues as `path: message` lines. */
export function describeZodIssues(error: ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
}

/** Wraps a zod failure as an `INVALID_INPUT` error that lists every problem. */
export function invalidInput(what: string, error: ZodError, context: BatonErrorContext = {}): BatonError {
  const issues = describeZodIssues(error);
  return new BatonError('INVALID_INPUT', `Invalid ${what}: ${issues.join('; ')}`, {
    context: { ...context, issues },
    cause: error,
  });
}
