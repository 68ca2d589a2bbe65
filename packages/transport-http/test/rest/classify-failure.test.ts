import { describe, expect, it } from 'vitest';
import { BitrixError } from '../../src/errors.js';
import { backoffDelay, decideRetry, defaultRetryPolicy, mayHaveRun } from '../../src/rest/retry-policy.js';

const error = (code: string, retryable: boolean, retryAfterMs?: number) =>
  new BitrixError(code, code, { retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const noJitter = { ...defaultRetryPolicy, jitter: false };

describe('decideRetry', () => {
  it('backs off exponentially on QUERY_LIMIT_EXCEEDED until maxAttempts', () => {
    const qle = error('QUERY_LIMIT_EXCEEDED', true);
    expect(decideRetry(noJitter, qle, 1)).toEqual({ retry: true, delayMs: 500 });
    expect(decideRetry(noJitter, qle, 2)).toEqual({ retry: true, delayMs: 1000 });
    expect(decideRetry(noJitter, qle, 3)).toEqual({ retry: false });
  });

  it('never retries what is not retryable', () => {
    expect(decideRetry(noJitter, error('OVERLOAD_LIMIT', false), 1)).toEqual({ retry: false });
    expect(decideRetry(noJitter, error('WRONG_CHAT', false), 1)).toEqual({ retry: false });
  });

  it('waits for the operating limit to reset, and gives the wait back when it is too long', () => {
    expect(decideRetry(noJitter, error('OPERATION_TIME_LIMIT', true, 2_000), 1)).toEqual({
      retry: true,
      delayMs: 2_000,
    });
    expect(decideRetry(noJitter, error('OPERATION_TIME_LIMIT', true, 120_000), 1)).toEqual({ retry: false });
  });

  it('bounds OPERATOR_WRONG by its own limit', () => {
    const policy = { ...noJitter, operatorWrongAttempts: 2, maxAttempts: 5 };
    expect(decideRetry(policy, error('OPERATOR_WRONG', true), 1).retry).toBe(true);
    expect(decideRetry(policy, error('OPERATOR_WRONG', true), 2).retry).toBe(false);
  });

  it('can leave network errors to the caller', () => {
    const policy = { ...noJitter, retryNetworkErrors: false };
    expect(decideRetry(policy, error('TIMEOUT', true), 1).retry).toBe(false);
  });

  it('does not retry a call that is not idempotent after a failure that may have run', () => {
    const answered = (code: string, status: number) =>
      new BitrixError(code, code, { retryable: true, status });
    const once = { idempotent: false };
    for (const unknown of [
      error('TIMEOUT', true),
      error('NETWORK', true),
      answered('INTERNAL_SERVER_ERROR', 500),
      answered('INVALID_RESPONSE', 502),
    ]) {
      expect(mayHaveRun(unknown)).toBe(true);
      expect(decideRetry(noJitter, unknown, 1, Math.random, once)).toEqual({ retry: false });
      expect(decideRetry(noJitter, unknown, 1).retry).toBe(true);
    }
    for (const refused of [
      answered('QUERY_LIMIT_EXCEEDED', 503),
      answered('OPERATION_TIME_LIMIT', 429),
      answered('OPERATOR_WRONG', 400),
    ]) {
      expect(mayHaveRun(refused)).toBe(false);
      expect(decideRetry(noJitter, refused, 1, Math.random, once).retry).toBe(true);
    }
  });

  it('jitters between half and all of the delay and caps it', () => {
    expect(backoffDelay(defaultRetryPolicy, 1, () => 0)).toBe(250);
    expect(backoffDelay(defaultRetryPolicy, 1, () => 0.999_999)).toBeCloseTo(500, 0);
    expect(backoffDelay(noJitter, 30)).toBe(defaultRetryPolicy.maxDelayMs);
  });
});
