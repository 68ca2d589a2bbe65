import { describe, expect, it } from 'vitest';
import { BitrixError } from '../../src/errors.js';
import { failureKind, mayHaveRun } from '../../src/rest/classify-failure.js';

const answered = (code: string, status: number, retryable = true) =>
  new BitrixError(code, code, { retryable, status });
const unanswered = (code: string, retryable = true) => new BitrixError(code, code, { retryable });

describe('failureKind and mayHaveRun', () => {
  it('a spent request budget is `budget` and did not run', () => {
    for (const refused of [
      answered('QUERY_LIMIT_EXCEEDED', 503),
      answered('OPERATION_TIME_LIMIT', 429),
      unanswered('RATE_LIMITED'),
    ]) {
      expect(failureKind(refused)).toBe('budget');
      expect(mayHaveRun(refused)).toBe(false);
    }
  });

  it('a failure of the way is `transient`, and one without a complete answer may have run', () => {
    for (const unknown of [
      unanswered('TIMEOUT'),
      unanswered('NETWORK'),
      answered('INTERNAL_SERVER_ERROR', 500),
      answered('INVALID_RESPONSE', 502),
    ]) {
      expect(failureKind(unknown)).toBe('transient');
      expect(mayHaveRun(unknown)).toBe(true);
    }
    expect(failureKind(unanswered('REFRESH_FAILED'))).toBe('transient');
    expect(mayHaveRun(unanswered('REFRESH_FAILED'))).toBe(false);
  });

  it("the platform's refusal of the call itself is `target` and did not run", () => {
    for (const refused of [answered('OPERATOR_WRONG', 400), answered('WRONG_CHAT', 400, false)]) {
      expect(failureKind(refused)).toBe('target');
      expect(mayHaveRun(refused)).toBe(false);
    }
  });
});
