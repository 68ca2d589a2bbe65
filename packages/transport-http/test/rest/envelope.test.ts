import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BitrixError } from '../../src/errors.js';
import { readEnvelope } from '../../src/rest/envelope.js';

const context = { method: 'imopenlines.bot.session.transfer', portal: 'member-1', now: 1_700_000_000_000 };

function asError(value: ReturnType<typeof readEnvelope>): BitrixError {
  if (!(value instanceof BitrixError)) throw new Error('expected an error');
  return value;
}

describe('readEnvelope', () => {
  it('returns the result of a success envelope', () => {
    expect(readEnvelope(200, '{"result":true,"time":{"start":1}}', context)).toEqual({ result: true });
  });

  it.each([
    [503, 'QUERY_LIMIT_EXCEEDED', true],
    [503, 'OVERLOAD_LIMIT', false],
    [500, 'INTERNAL_SERVER_ERROR', true],
    [500, 'PORTAL_DELETED', false],
    [400, 'OPERATOR_WRONG', true],
    [400, 'WRONG_CHAT', false],
    [400, 'CHAT_ID_EMPTY', false],
    [400, 'BOT_ID_ERROR', false],
    [401, 'NO_AUTH_FOUND', false],
    [401, 'expired_token', false],
    [401, 'invalid_token', false],
    [403, 'ACCESS_DENIED', false],
    [403, 'INVALID_CREDENTIALS', false],
    [403, 'insufficient_scope', false],
    [403, 'WRONG_AUTH_TYPE', false],
    [429, 'OPERATION_TIME_LIMIT', true],
    [502, 'SOMETHING_NEW', true],
  ])('maps HTTP %i %s with retryable=%s', (status, code, retryable) => {
    const error = asError(
      readEnvelope(status, JSON.stringify({ error: code, error_description: 'x' }), context),
    );
    expect(error).toMatchObject({
      code,
      context: { status, retryable, method: context.method, portal: context.portal },
    });
  });

  it('reads operating_reset_at as the wait of OPERATION_TIME_LIMIT', () => {
    const body = JSON.stringify({
      error: 'OPERATION_TIME_LIMIT',
      time: { operating_reset_at: 1_700_000_012 },
    });
    expect(asError(readEnvelope(429, body, context)).context.retryAfterMs).toBe(12_000);
  });

  it('turns an HTML page into a retryable INVALID_RESPONSE instead of crashing', () => {
    const error = asError(readEnvelope(503, '<!DOCTYPE html><html>blocked</html>', context));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', context: { status: 503, retryable: true } });
  });

  it.each(['', 'null', '[]', '{"foo":1}', '{"result'])('treats %j as INVALID_RESPONSE', (body) => {
    expect(asError(readEnvelope(200, body, context)).code).toBe('INVALID_RESPONSE');
  });

  it('keeps no piece of a non-JSON body, which may echo the webhook URL, in the error', () => {
    const body = 'x/rest/1/s3cr3t'; // short enough for a JSON syntax error to quote it whole
    const error = asError(readEnvelope(404, body, context));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(inspect(error, { depth: 10 })).not.toContain('s3cr3t');
  });
});
