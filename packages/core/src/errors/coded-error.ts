/** Marks every error built on `CodedError`, across packages and copies of them in one process. */
const codedErrorBrand = Symbol.for('@baton/coded-error');

/** What a coded error carries besides its code and message. */
export interface CodedErrorOptions<Context extends object> {
  /** Facts that help to find the cause; never secrets. */
  readonly context?: Context;
  /** The error this one wraps (a `ZodError`, a Redis or network error, …). */
  readonly cause?: unknown;
}

/**
 * The one error shape of Baton's packages: a `code` from the package's string-literal union, a
 * `context` object, the standard `cause`, and a brand that the packages' guards check (so that a
 * guard recognises its errors even from another copy of the package, where `instanceof` fails).
 * Each package has one subclass with its own `name` and code union.
 */
export abstract class CodedError<Code extends string, Context extends object> extends Error {
  readonly code: Code;
  readonly context: Context;

  constructor(code: Code, message: string, options: CodedErrorOptions<Context> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? ({} as Context);
    Object.defineProperty(this, codedErrorBrand, { value: true });
  }
}

/**
 * Whether `value` is a coded error (built on `CodedError` by any Baton package), optionally of one
 * class (its `name`, e.g. `'BatonError'`) and one code.
 */
export function isCodedError(
  value: unknown,
  name?: string,
  code?: string,
): value is CodedError<string, object> {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[codedErrorBrand] !== true) return false;
  const error = value as CodedError<string, object>;
  return (name === undefined || error.name === name) && (code === undefined || error.code === code);
}
