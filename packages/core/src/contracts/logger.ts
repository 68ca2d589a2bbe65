import { z } from 'zod';

/** One log method: structured fields first, then a message (pino's and bunyan's order). */
export type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/**
 * Where Baton's packages write what they do: any object with `debug`, `info`, `warn` and `error`
 * taking fields first, then a message. A pino or bunyan logger fits as it is; so does `console`
 * (it prints the fields, then the message).
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const engine = createEngine({ transport, logger: pino({ level: 'info' }) });
 * ```
 */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

/** Checks that an option is a `Logger` (used in every package's option schema). */
export const loggerSchema = z.custom<Logger>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error'].every(
      (level) => typeof (value as Record<string, unknown>)[level] === 'function',
    ),
  { message: 'expected a logger with debug, info, warn and error methods (pino, console, …)' },
);

/** The longest free text (an error's message) kept in a chat's context or a log line. */
export const maxMessageLength = 500;

/** `text` cut to `maxMessageLength` characters, marked with `…` when it was cut. */
export function truncateMessage(text: string, length: number = maxMessageLength): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** A short, printable description of anything thrown: its message, or its string form. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return truncateMessage(error.message);
  return truncateMessage(String(error));
}

/** The code of a coded error (any object with a string `code`), else `undefined`. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.length > 0 ? code : undefined;
}

/**
 * Calls a user's logger without letting it break the caller: a logger that throws is ignored (it
 * has nobody left to tell).
 */
export function safeLog(
  logger: Logger | undefined,
  level: keyof Logger,
  fields: Record<string, unknown>,
  message: string,
): void {
  if (!logger) return;
  try {
    logger[level](fields, message);
  } catch {
    // A logger that throws cannot be told about it.
  }
}
