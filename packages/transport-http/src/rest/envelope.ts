import { z } from 'zod';
import { BitrixError, type BitrixErrorContext } from '../errors.js';
import { isRetryableFailure } from './classify-failure.js';

const timeSchema = z
  .object({ operating_reset_at: z.coerce.number().optional() })
  .loose()
  .optional()
  .catch(undefined);

const errorEnvelopeSchema = z.object({
  error: z.string().min(1).max(200),
  error_description: z.string().max(10_000).optional().catch(undefined),
  time: timeSchema,
});

const successEnvelopeSchema = z.object({ result: z.unknown(), time: timeSchema }).loose();

/** A successful answer's payload. */
export interface RestSuccess {
  readonly result: unknown;
  /**
   * `time.operating_reset_at` in ms since the epoch, when the answer had one: until then the
   * method's operating budget is partly spent. The platform's `429 OPERATION_TIME_LIMIT` itself
   * carries no time, so this is how the transport learns when a blocked method unblocks.
   */
  readonly operatingResetAtMs?: number;
}

/** What the caller knows about the request, for the error's context. */
export interface ResponseContext {
  readonly method: string;
  readonly portal: string;
  /** `Date.now()` at the time the answer arrived, for `operating_reset_at`. */
  readonly now: number;
  /** The `Retry-After` header, if any. */
  readonly retryAfterHeader?: string | null;
}

function retryAfterFrom(
  code: string,
  operatingResetAt: number | undefined,
  context: ResponseContext,
): number | undefined {
  const header = context.retryAfterHeader ? Number(context.retryAfterHeader) : Number.NaN;
  if (Number.isFinite(header) && header >= 0) return header * 1000;
  if (
    code === 'OPERATION_TIME_LIMIT' &&
    operatingResetAt !== undefined &&
    Number.isFinite(operatingResetAt)
  ) {
    // `operating_reset_at` is a Unix time in seconds.
    return Math.max(0, operatingResetAt * 1000 - context.now);
  }
  return undefined;
}

function failure(
  code: string,
  message: string,
  status: number,
  context: ResponseContext,
  retryAfterMs?: number,
) {
  const errorContext: BitrixErrorContext = {
    method: context.method,
    portal: context.portal,
    status,
    retryable: isRetryableFailure(code, status),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  return new BitrixError(code, message, errorContext);
}

/**
 * Reads the platform's envelope from a response body: `{ result, time }` or
 * `{ error, error_description }`. Anything else (an HTML block page, an empty or truncated body)
 * is an `INVALID_RESPONSE` error, never an exception. The description is kept in the message
 * because the platform writes no secrets into it; the request URL is never included.
 */
export function readEnvelope(
  status: number,
  bodyText: string,
  context: ResponseContext,
): RestSuccess | BitrixError {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    // No cause: a JSON syntax error quotes a piece of the body, and an error page may echo the
    // request URL, which holds a webhook's secret.
    return failure(
      'INVALID_RESPONSE',
      `${context.method} on ${context.portal}: HTTP ${status} with a body that is not JSON (${bodyText.length} bytes)`,
      status,
      context,
    );
  }
  const asError = errorEnvelopeSchema.safeParse(json);
  if (asError.success) {
    const { error: code, error_description: description, time } = asError.data;
    const retryAfterMs = retryAfterFrom(code, time?.operating_reset_at, context);
    const detail = description ? `: ${description}` : '';
    return failure(
      code,
      `${context.method} on ${context.portal} failed with ${code} (HTTP ${status})${detail}`,
      status,
      context,
      retryAfterMs,
    );
  }
  const asSuccess = successEnvelopeSchema.safeParse(json);
  if (asSuccess.success && status >= 200 && status < 300 && 'result' in (json as object)) {
    const resetAt = asSuccess.data.time?.operating_reset_at;
    return resetAt !== undefined && Number.isFinite(resetAt) && resetAt > 0
      ? { result: asSuccess.data.result, operatingResetAtMs: resetAt * 1000 }
      : { result: asSuccess.data.result };
  }
  return failure(
    'INVALID_RESPONSE',
    `${context.method} on ${context.portal}: HTTP ${status} without the platform's result or error envelope`,
    status,
    context,
  );
}
