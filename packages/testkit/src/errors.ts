import type { ZodError } from 'zod';

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
export class TestkitError extends Error {
  override readonly name = 'TestkitError';
  readonly code: TestkitErrorCode;
  readonly context: TestkitErrorContext;

  constructor(
    code: TestkitErrorCode,
    message: string,
    options: { context?: TestkitErrorContext; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }
}

/**
 * Narrows `value` to a `TestkitError`, optionally of one code.
 *
 * @example
 * ```ts
 * try { portal.chat(999); } catch (error) { if (isTestkitError(error, 'NOT_FOUND')) … }
 * ```
 */
export function isTestkitError(value: unknown, code?: TestkitErrorCode): value is TestkitError {
  return value instanceof TestkitError && (code === undefined || value.code === code);
}

/** Wraps a zod failure as an `INVALID_INPUT` error that lists every problem. */
export function invalidInput(what: string, error: ZodError): TestkitError {
  const issues = error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  return new TestkitError('INVALID_INPUT', `Invalid ${what}: ${issues.join('; ')}`, {
    context: { issues },
    cause: error,
  });
}

/** Parses `input` with `schema`, throwing `INVALID_INPUT` on failure. */
export function parseInput<T>(
  schema: { safeParse(input: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  input: unknown,
  what: string,
): T {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidInput(what, result.error);
  return result.data;
}
