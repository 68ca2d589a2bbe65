import type { FailureKind } from '@baton/core';
import type { BitrixError } from '../errors.js';

/** Codes the platform uses when a request was refused before it ran, worth a later retry. */
const transientStatusCodes = new Set(['QUERY_LIMIT_EXCEEDED', 'INTERNAL_SERVER_ERROR', 'OPERATOR_WRONG']);
/** Server-side codes that mean "stop": a manual block, a deleted portal. */
const finalServerCodes = new Set(['OVERLOAD_LIMIT', 'PORTAL_DELETED']);
/** The portal's request budget is spent: the request did not run, and the wait is the portal's. */
const budgetCodes = new Set([
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_TIME_LIMIT',
  'RATE_LIMITED',
  'OVERLOAD_LIMIT',
]);

/**
 * Whether a failure with this code and status may succeed if the same call is made later. This is
 * the `retryable` flag of the failure the engine sees.
 */
export function isRetryableFailure(code: string, status: number | undefined): boolean {
  if (finalServerCodes.has(code)) return false;
  if (transientStatusCodes.has(code)) return true;
  switch (code) {
    case 'TIMEOUT':
    case 'NETWORK':
    case 'RATE_LIMITED':
    case 'OPERATION_TIME_LIMIT':
      return true;
    case 'INVALID_RESPONSE':
      // A block page or a proxy error: transient. A 200 with a body we do not understand is not.
      return status === undefined || status >= 500 || status === 429;
    default:
      return status !== undefined && status >= 500;
  }
}

/**
 * Whether the platform may have executed a call that failed this way: no complete answer
 * (`TIMEOUT`, `NETWORK`), or a server error other than the two the platform documents as "refused
 * before running" (`503 QUERY_LIMIT_EXCEEDED`, `429 OPERATION_TIME_LIMIT`), or an unreadable
 * answer, or an abort while the request was in flight. A failure before sending (rate limiter, an
 * abort before the request left) and a method's own 4xx error did not run.
 */
export function mayHaveRun(error: BitrixError): boolean {
  if (error.code === 'TIMEOUT' || error.code === 'NETWORK') return true;
  if (error.code === 'ABORTED') return error.context.sent === true;
  if (error.context.status === undefined) return false;
  if (error.context.status === 503 && error.code === 'QUERY_LIMIT_EXCEEDED') return false;
  if (error.context.status === 429 && error.code === 'OPERATION_TIME_LIMIT') return false;
  return error.context.status >= 500 || error.code === 'INVALID_RESPONSE';
}

/**
 * What a failure says about the call, for the engine's one retry decision: `budget` when the
 * portal's request budget is spent, `transient` when the way to the platform failed (a 5xx, a
 * timeout, a reset, an unreadable answer, a token refresh that did not finish), `target` for the
 * platform's own refusal of this call (`OPERATOR_WRONG`, any method error).
 */
export function failureKind(error: BitrixError): FailureKind {
  if (budgetCodes.has(error.code)) return 'budget';
  if (error.code === 'OPERATOR_WRONG') return 'target';
  if (mayHaveRun(error) || error.context.retryable) return 'transient';
  return 'target';
}
