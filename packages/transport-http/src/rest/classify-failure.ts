import { z } from 'zod';
import type { BitrixError } from '../errors.js';

/**
 * How the transport retries one call, as data. The defaults follow the platform: back off on
 * `QUERY_LIMIT_EXCEEDED` and server errors, wait for `operating_reset_at` on
 * `OPERATION_TIME_LIMIT`, retry the transient `OPERATOR_WRONG` a few times, never retry other 4xx.
 */
export interface RetryPolicy {
  /**
   * Attempts in total for one call, the first included (a token refresh's replay is not counted).
   * @defaultValue 3
   */
  readonly maxAttempts: number;
  /**
   * Attempts in total when the platform answers `OPERATOR_WRONG` (which can mean "another
   * transfer holds the chat's lock right now").
   * @defaultValue 3
   */
  readonly operatorWrongAttempts: number;
  /**
   * First backoff delay; doubles on every further attempt.
   * @defaultValue 500
   */
  readonly baseDelayMs: number;
  /**
   * Upper bound of one backoff delay.
   * @defaultValue 10_000
   */
  readonly maxDelayMs: number;
  /**
   * Randomise each delay between half and all of its value ("equal jitter"), so that callers
   * that failed together do not retry together.
   * @defaultValue true
   */
  readonly jitter: boolean;
  /**
   * Wait on `OPERATION_TIME_LIMIT` when the answer does not say when the method unblocks.
   * @defaultValue 10_000
   */
  readonly operatingLimitWaitMs: number;
  /**
   * The longest wait the transport does itself before a retry; a longer one (typically an
   * operating limit) is returned as a retryable failure with `retryAfterMs` instead.
   * @defaultValue 30_000
   */
  readonly maxWaitMs: number;
  /**
   * Retry after `TIMEOUT` and `NETWORK` failures. Only calls that are safe to repeat are retried
   * after a failure that may have run on the platform (see `mayHaveRun`); a call that is not
   * (`imopenlines.bot.session.transfer`) returns such a failure at once.
   * @defaultValue true
   */
  readonly retryNetworkErrors: boolean;
}

/** The platform-matching defaults. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  operatorWrongAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  jitter: true,
  operatingLimitWaitMs: 10_000,
  maxWaitMs: 30_000,
  retryNetworkErrors: true,
};

/** Validates a partial retry policy given as an option. */
export const retryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(20),
    operatorWrongAttempts: z.number().int().min(1).max(20),
    baseDelayMs: z.number().nonnegative().max(600_000),
    maxDelayMs: z.number().nonnegative().max(600_000),
    jitter: z.boolean(),
    operatingLimitWaitMs: z.number().nonnegative().max(3_600_000),
    maxWaitMs: z.number().nonnegative().max(3_600_000),
    retryNetworkErrors: z.boolean(),
  })
  .partial()
  .strict();

/** Codes the platform uses when a request was refused before it ran, worth a later retry. */
const transientStatusCodes = new Set(['QUERY_LIMIT_EXCEEDED', 'INTERNAL_SERVER_ERROR', 'OPERATOR_WRONG']);
/** Server-side codes that mean "stop": a manual block, a deleted portal. */
const finalServerCodes = new Set(['OVERLOAD_LIMIT', 'PORTAL_DELETED']);

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
 * answer. A failure before sending (rate limiter, abort) and a method's own 4xx error did not run.
 */
export function mayHaveRun(error: BitrixError): boolean {
  if (error.code === 'TIMEOUT' || error.code === 'NETWORK') return true;
  if (error.status === undefined) return false;
  if (error.status === 503 && error.code === 'QUERY_LIMIT_EXCEEDED') return false;
  if (error.status === 429 && error.code === 'OPERATION_TIME_LIMIT') return false;
  return error.status >= 500 || error.code === 'INVALID_RESPONSE';
}

/** What the retry decision knows about the call itself. */
export interface RetryCallInfo {
  /**
   * `false` for a call that must not reach the platform twice (a transfer): it is never retried
   * after a failure that may have run (`mayHaveRun`); the caller reads the platform's state first.
   * @defaultValue true
   */
  readonly idempotent?: boolean;
}

/** What to do after a failed attempt. */
export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false };

/** Exponential backoff for the n-th retry (1-based), capped, optionally jittered. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return policy.jitter ? exponential / 2 + random() * (exponential / 2) : exponential;
}

/**
 * Decides whether attempt number `attempt` (1-based) that failed with `error` is retried, and
 * after how long. A call that is not idempotent is not retried after a failure that may have run.
 * Pure: the caller sleeps.
 */
export function decideRetry(
  policy: RetryPolicy,
  error: BitrixError,
  attempt: number,
  random: () => number = Math.random,
  call: RetryCallInfo = {},
): RetryDecision {
  // RATE_LIMITED already is the end of a wait bounded by `maxRateLimitWaitMs`: waiting again here would defeat it.
  if (!error.retryable || error.code === 'RATE_LIMITED') return { retry: false };
  if (call.idempotent === false && mayHaveRun(error)) return { retry: false };
  if ((error.code === 'TIMEOUT' || error.code === 'NETWORK') && !policy.retryNetworkErrors) {
    return { retry: false };
  }
  const limit = error.code === 'OPERATOR_WRONG' ? policy.operatorWrongAttempts : policy.maxAttempts;
  if (attempt >= limit) return { retry: false };
  const delayMs =
    error.code === 'OPERATION_TIME_LIMIT'
      ? (error.retryAfterMs ?? policy.operatingLimitWaitMs)
      : Math.max(backoffDelay(policy, attempt, random), error.retryAfterMs ?? 0);
  if (delayMs > policy.maxWaitMs) return { retry: false };
  return { retry: true, delayMs };
}
