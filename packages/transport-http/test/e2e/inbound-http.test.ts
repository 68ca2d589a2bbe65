import fc from 'fast-check';
import { stringify } from 'qs';
import { afterEach, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from '../helpers/e2e.js';

let e2e: E2E | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

async function post(url: string, body: string, contentType = 'application/x-www-form-urlencoded') {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as { ok: boolean; code?: string } };
}

async function begin(): Promise<E2E> {
  e2e = await startE2E();
  return e2e;
}

function forgedMessage(t: E2E, chatId: number, token: string | undefined, text: string) {
  return stringify({
    event: 'ONIMBOTMESSAGEADD',
    auth: { member_id: t.portal.memberId, ...(token === undefined ? {} : { application_token: token }) },
    data: {
      PARAMS: {
        CHAT_ID: String(chatId),
        MESSAGE_ID: '999999',
        MESSAGE: text,
        FROM_USER_ID: String(t.operatorA.userId),
        CHAT_ENTITY_TYPE: 'LINES',
        CHAT_ENTITY_ID: `livechat|${t.line.lineId}|1|2`,
      },
      USER: { IS_BOT: 'N', IS_CONNECTOR: 'N', IS_EXTRANET: 'N' },
    },
  });
}

describe('the inbound handler over real HTTP', () => {
  it('rejects forged and malformed deliveries, and the chat does not change', async () => {
    const t = await begin();
    const { chatId } = t.newChat();
    await t.requestTransfer(chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    await t.engine.drain();
    const before = await t.engine.getChat(t.key(chatId));
    expect(before?.state).toBe('awaitingOperator');
    const url = t.handlerUrl;

    expect(await post(url, forgedMessage(t, chatId, 'forged-token', 'I answered'))).toEqual({
      status: 403,
      body: expect.objectContaining({ ok: false, code: 'INVALID_APPLICATION_TOKEN' }),
    });
    expect((await post(url, forgedMessage(t, chatId, undefined, 'I answered'))).status).toBe(401);
    expect((await post(url, '{"event":', 'application/json')).status).toBe(400);
    expect((await fetch(url)).status).toBe(405);

    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 40 }),
        async (garbage, token) => {
          const forged = await post(
            url,
            forgedMessage(t, chatId, token === t.portal.applicationToken ? 'x' : token, garbage),
          );
          expect([401, 403]).toContain(forged.status);
          const noise = await post(url, garbage);
          expect([200, 400, 401, 403]).toContain(noise.status);
        },
      ),
      { numRuns: 60 },
    );

    await t.engine.drain();
    const after = await t.engine.getChat(t.key(chatId));
    expect(after).toMatchObject({ state: 'awaitingOperator', version: before?.version });
    expect(t.portal.chat(chatId).botPresent).toBe(true);
  });

  it('a duplicated webhook delivery is applied once', async () => {
    const t = await begin();
    const { chatId } = t.newChat();
    await t.emulator.idle(); // the bot's join (a bot.joined event of its own) is delivered first
    const statuses: string[] = [];
    const dispatch = t.engine.dispatch.bind(t.engine);
    t.engine.dispatch = async (event) => {
      const result = await dispatch(event);
      statuses.push(result.status);
      return result;
    };
    t.emulator.faults.add({ method: 'ONIMBOTMESSAGEADD', kind: 'duplicateEvents', times: 1 });
    await t.portal.clientWrites(chatId, 'hello twice');
    expect(statuses).toEqual(['applied', 'duplicate']);
  });
});
