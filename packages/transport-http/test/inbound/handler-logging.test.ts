import type { Logger } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createEventHandler } from '../../src/inbound/handler.js';
import { applicationToken, formHeaders, memberId, v1MessageForm } from './fixtures.js';

function recordingLogger() {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    void lines.push([level, fields, message]);
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('what the inbound handler logs', () => {
  it('an accepted event at debug, without its text', async () => {
    const { logger, lines } = recordingLogger();
    const handler = createEventHandler({
      applicationTokens: { [memberId]: applicationToken },
      accept: async () => {},
      logger,
    });
    await handler.handle(v1MessageForm(), formHeaders);
    expect(lines).toEqual([
      [
        'debug',
        { portal: memberId, chatId: 42, eventType: 'message', eventId: `bitrix:${memberId}:message:1001` },
        'baton: event accepted',
      ],
    ]);
    expect(JSON.stringify(lines)).not.toContain('hello');
  });

  it('an event the engine could not accept at error, with the cause and the 503', async () => {
    const { logger, lines } = recordingLogger();
    const cause = Object.assign(new Error('Redis load failed: Command timed out'), { code: 'REDIS_FAILURE' });
    const handler = createEventHandler({
      applicationTokens: { [memberId]: applicationToken },
      accept: async () => {
        throw cause;
      },
      acceptRetry: false,
      logger,
    });
    const result = await handler.handle(v1MessageForm(), formHeaders);
    expect(result.status).toBe(503);
    expect(lines).toHaveLength(1);
    const [level, fields, message] = lines[0] as [string, Record<string, unknown>, string];
    expect(level).toBe('error');
    expect(fields).toMatchObject({
      code: 'NOT_ACCEPTED',
      status: 503,
      portal: memberId,
      chatId: 42,
      err: cause,
    });
    expect(message).toBe('baton: The engine could not accept the event now; answered 503');
  });

  it('a forged delivery at warn, without the token', async () => {
    const { logger, lines } = recordingLogger();
    const handler = createEventHandler({
      applicationTokens: { [memberId]: 'another-application-token-7c1f' },
      accept: async () => {},
      logger,
    });
    const result = await handler.handle(v1MessageForm(), formHeaders);
    expect(result.status).toBe(403);
    expect(lines.map(([level, fields]) => [level, fields.code])).toEqual([
      ['warn', 'INVALID_APPLICATION_TOKEN'],
    ]);
    expect(JSON.stringify(lines)).not.toContain(applicationToken);
  });
});
