import type { TransportFailure } from '@baton/core';
import { CodedError, isCodedError, validationFailure } from '@baton/core/adapter';
import type { ZodError } from 'zod';
import { failureKind, mayHaveRun } from './rest/classify-failure.js';

/** Codes this package produces itself, as opposed to codes the platform answers with. */
export type OwnErrorCode =
  /** The request did not finish within its timeout. */
  | 'TIMEOUT'
  /** The connection failed or was reset before a complete answer arrived. */
  | 'NETWORK'
  /** The answer was not the platform's JSON envelope (an HTML block page, garbage, an empty body). */
  | 'INVALID_RESPONSE'
  /** The rate limiter refused the request and waiting for it would exceed the request's time. */
  | 'RATE_LIMITED'
  /** The caller's `AbortSignal` fired. */
  | 'ABORTED'
  /** Arguments or options failed validation; no request was sent. */
  | 'INVALID_INPUT'
  /** No settings (auth, bot) are known for the portal; no request was sent. */
  | 'UNKNOWN_PORTAL'
  /** The OAuth access token could not be refreshed; the refresh token was not spent by it. */
  | 'REFRESH_FAILED'
  /** A refresh was sent and its answer lost: the refresh token may be spent (retryable: a retry tells). */
  | 'REFRESH_OUTCOME_UNKNOWN'
  /** The refresh token is spent and no newer one is held: access comes back with the next event or a reinstall. */
  | 'REFRESH_TOKEN_SPENT'
  /** The transport was closed. */
  | 'CLOSED'
  /** An inbound payload is malformed or not a Bitrix24 event. */
  | 'INVALID_PAYLOAD'
  /** An inbound payload is larger than the configured limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** An inbound request is not a `POST`. */
  | 'METHOD_NOT_ALLOWED'
  /** An inbound payload's content type is neither form-encoded nor JSON. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** An inbound payload carries no `auth[application_token]`. */
  | 'MISSING_APPLICATION_TOKEN'
  /** An inbound payload's application token does not match the one stored for its portal. */
  | 'INVALID_APPLICATION_TOKEN'
  /** The engine (the `accept` function) could not take the event now. */
  | 'NOT_ACCEPTED'
  /** A pluggable part (token store, portal directory, limiter) threw; the cause says what. */
  | 'UNEXPECTED';

/** Error codes the platform is documented to answer with (any other platform code is kept as is). */
export type PlatformErrorCode =
  | 'QUERY_LIMIT_EXCEEDED'
  | 'OVERLOAD_LIMIT'
  | 'OPERATION_TIME_LIMIT'
  | 'INTERNAL_SERVER_ERROR'
  | 'PORTAL_DELETED'
  | 'NO_AUTH_FOUND'
  | 'expired_token'
  | 'invalid_token'
  | 'invalid_grant'
  | 'ACCESS_DENIED'
  | 'INVALID_CREDENTIALS'
  | 'insufficient_scope'
  | 'WRONG_AUTH_TYPE'
  | 'ERROR_METHOD_NOT_FOUND'
  | 'CHAT_ID_EMPTY'
  | 'USER_ID_EMPTY'
  | 'QUEUE_ID_EMPTY'
  | 'TRANSFER_ID_EMPTY'
  | 'BOT_ID_ERROR'
  | 'WRONG_CHAT'
  | 'OPERATOR_WRONG'
  | 'WRONG_REQUEST'
  | 'ACCESS_ERROR'
  | 'APP_ID_ERROR'
  | 'BOT_NOT_FOUND'
  | 'BOT_OWNERSHIP_ERROR';

/**
 * Every code a `BitrixError` can carry: ours, the documented platform codes, or any other code
 * the platform answered with (kept verbatim so that nothing is lost).
 */
export type BitrixErrorCode = OwnErrorCode | PlatformErrorCode | (string & {});

/** Where and how a failure happened; never contains secrets. */
export interface BitrixErrorContext {
  /** The REST method, e.g. `imopenlines.bot.session.transfer`. */
  readonly method?: string;
  /** The portal (`member_id` or domain). */
  readonly portal?: string;
  /** HTTP status, when there was a response. */
  readonly status?: number;
  /** Whether the same call may succeed later. */
  readonly retryable?: boolean;
  /** When to try again, if known. */
  readonly retryAfterMs?: number;
  /** For validation failures: each problem as `path: message`. */
  readonly issues?: readonly string[];
  /**
   * Whether the request had been sent when it failed: `true` for an abort in flight, `false` when
   * nothing left the process (no rate grant in time, an abort before sending).
   */
  readonly sent?: boolean;
}

/** The context every `BitrixError` carries: `retryable` is always set. */
export type BitrixErrorFacts = BitrixErrorContext & { readonly retryable: boolean };

/**
 * The one error class of `@baton/transport-http`, outbound and inbound, on core's `CodedError`:
 * `code`, `context` (method, portal, status, retryable, retryAfterMs, issues), `cause`. Transport
 * methods never throw it: they return a `TransportFailure` built from it (`toTransportFailure`).
 */
export class BitrixError extends CodedError<BitrixErrorCode, BitrixErrorFacts> {
  override readonly name = 'BitrixError';

  constructor(code: BitrixErrorCode, message: string, context: BitrixErrorContext = {}, cause?: unknown) {
    super(code, message, {
      context: { ...context, retryable: context.retryable ?? false },
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** Narrows `value` to a `BitrixError` (by its brand, not `instanceof`), optionally of one code. */
export function isBitrixError(value: unknown, code?: BitrixErrorCode): value is BitrixError {
  return isCodedError(value, 'BitrixError', code);
}

/** An `INVALID_INPUT` error listing every problem of a zod failure. */
export function invalidInputError(
  what: string,
  error: ZodError,
  context: BitrixErrorContext = {},
): BitrixError {
  const failure = validationFailure(what, error);
  return new BitrixError(
    'INVALID_INPUT',
    failure.message,
    { ...context, issues: failure.issues },
    failure.cause,
  );
}

/** The core's failure-as-data view of an error: code, retryability, timing hint, status, message. */
export function toTransportFailure(error: BitrixError): TransportFailure {
  return {
    code: error.code,
    retryable: error.context.retryable,
    kind: failureKind(error),
    outcomeUnknown: mayHaveRun(error),
    ...(error.context.sent === false ? { notSent: true } : {}),
    message: error.message,
    ...(error.context.retryAfterMs === undefined
      ? {}
      : { retryAfterMs: Math.max(0, Math.ceil(error.context.retryAfterMs)) }),
    ...(error.context.status === undefined ? {} : { status: error.context.status }),
  };
}
