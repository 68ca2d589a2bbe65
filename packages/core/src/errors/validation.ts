import type { ZodError, z } from 'zod';

/** A zod failure, described once for every package's `INVALID_INPUT` (or `INVALID_OPTIONS`) error. */
export interface ValidationFailure {
  /** `Invalid <what>: <issue>; <issue>` */
  readonly message: string;
  /** Each problem as `path: message` (`(root)` for the value itself). */
  readonly issues: readonly string[];
  /** The zod error, to keep as the coded error's `cause`. */
  readonly cause: ZodError;
}

/** Formats zod issues as `path: message` lines: the one zod formatter of Baton's packages. */
export function describeZodIssues(error: ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
}

/** Describes a zod failure of `what` (an event, the transport's options, …). */
export function validationFailure(what: string, error: ZodError): ValidationFailure {
  const issues = describeZodIssues(error);
  return { message: `Invalid ${what}: ${issues.join('; ')}`, issues, cause: error };
}

/**
 * Parses `value` with `schema`, or throws the error `toError` makes of the failure: the one
 * parse-or-throw of Baton's packages. Callers parse before touching any state, so bad input
 * changes nothing.
 *
 * @example
 * ```ts
 * const options = parseOrThrow(optionsSchema, input, 'store options', (failure) =>
 *   new RedisStoreError('INVALID_OPTIONS', failure.message, { context: { issues: failure.issues }, cause: failure.cause }),
 * );
 * ```
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  toError: (failure: ValidationFailure) => Error,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw toError(validationFailure(what, result.error));
  return result.data;
}
