import type { Logger } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from '../helpers/e2e.js';

let e2e: E2E | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

describe('failure details end to end', () => {
  it("handoff.failed and lastError carry the transport's message, step and target", async () => {
    // A portal configured with an impossible bot id: the transport refuses before sending anything.
    const t = await startE2E({ transportBot: (bot) => ({ id: 0, clientId: bot.clientId }) });
    e2e = t;
    const failures: Array<Record<string, unknown>> = [];
    t.engine.on('handoff.failed', (payload) => failures.push({ ...payload }));
    const { chatId } = t.newChat();
    const target = { kind: 'user', userId: t.operatorA.userId } as const;
    await t.requestTransfer(chatId, { target, leave: false });
    await t.settle(() => failures.length > 0);

    const [failed] = failures;
    expect(failed).toMatchObject({ code: 'INVALID_INPUT', steps: 1, step: 0, target });
    expect(failed?.message).toContain('bot.id: Too small');
    expect(failed?.message).toContain(`Invalid settings for portal ${t.portal.memberId}`);
    expect(typeof failed?.at).toBe('number');
    const chat = await t.engine.getChat(t.key(chatId));
    expect(chat?.state).toBe('bot');
    expect(chat?.context.lastError).toMatchObject({ code: 'INVALID_INPUT', step: 0, target });
    expect(chat?.context.lastError?.message).toContain('bot.id: Too small');
    expect(t.portal.chat(chatId).transfers).toEqual([]);
  });

  it('the transport logs each REST call at debug and a refused one at warn, without the URL', async () => {
    const lines: Array<[string, Record<string, unknown>, string]> = [];
    const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
      void lines.push([level, fields, message]);
    const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const t = await startE2E({ transport: { logger } });
    e2e = t;
    const { chatId } = t.newChat();
    await t.requestTransfer(chatId, { target: { kind: 'user', userId: 987_654_321 }, leave: false });
    await t.settle(async () => (await t.engine.getChat(t.key(chatId)))?.state === 'bot');

    const calls = lines.filter(([, fields]) => fields.method === 'imopenlines.bot.session.transfer');
    expect(calls.length).toBeGreaterThan(0);
    const [level, fields, message] = calls[0] as [string, Record<string, unknown>, string];
    expect(level).toBe('warn');
    expect(fields).toMatchObject({ portal: t.portal.memberId, retryable: expect.any(Boolean) });
    expect(typeof fields.code).toBe('string');
    expect(message).toContain('imopenlines.bot.session.transfer');
    const everything = JSON.stringify(lines.map(([l, f, m]) => [l, { ...f, err: undefined }, m]));
    expect(everything).not.toContain('/rest/');
  });
});
