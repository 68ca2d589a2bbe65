import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { callJson, startEventReceiver } from './helpers.js';

let emulator: Emulator;
afterEach(async () => {
  await emulator.close();
});

describe('the /_emulator control API', () => {
  it('drives a chat over HTTP: create, client and operator messages, answer, read', async () => {
    const receiver = await startEventReceiver();
    emulator = await createEmulator();
    const portal = emulator.createPortal({ memberId: 'acme' });
    const operator = portal.createOperator().userId;
    const lineId = portal.createLine({ queue: [operator] }).lineId;
    const bot = portal.registerBot({ eventHandlerUrl: receiver.url });
    const base = `${emulator.url}/_emulator/portals/acme/chats`;

    const created = await callJson(base, { lineId, botId: bot.botId });
    const chat = created.body as unknown as { chatId: number };
    expect(created.status).toBe(200);
    expect(chat.chatId).toBeGreaterThanOrEqual(10_000);
    const written = await callJson(`${base}/${chat.chatId}/client-messages`, { text: '0' });
    expect(written.body).toMatchObject({ messageId: expect.any(Number) });
    expect((await callJson(`${base}/${chat.chatId}/answer`, { userId: operator })).status).toBe(200);
    const state = (await (await fetch(`${base}/${chat.chatId}`)).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ state: 'answered', ownerId: operator, botPresent: false });
    expect(receiver.events.map((event) => event.form.event)).toEqual([
      'ONIMBOTJOINCHAT',
      'ONIMBOTMESSAGEADD',
    ]);
    const deliveries = (await (await fetch(`${emulator.url}/_emulator/deliveries`)).json()) as unknown[];
    expect(deliveries).toHaveLength(2);
    await receiver.close();
  });

  it('answers coded errors and is not logged as platform traffic', async () => {
    emulator = await createEmulator();
    emulator.createPortal({ memberId: 'acme' });
    const bad = await callJson(`${emulator.url}/_emulator/portals/acme/chats`, { lineId: 'x' });
    expect(bad).toMatchObject({ status: 400, body: { error: 'INVALID_INPUT' } });
    const missing = await callJson(`${emulator.url}/_emulator/portals/acme/chats/9876543/answer`, {
      userId: 1,
    });
    expect(missing).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
    expect((await callJson(`${emulator.url}/_emulator/portals/nobody/chats`, {})).status).toBe(404);
    for (const body of ['null', '[1]', '"text"', '{broken']) {
      const answer = await fetch(`${emulator.url}/_emulator/portals/acme/chats/4815162/client-messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error: 'INVALID_INPUT' });
    }
    expect(emulator.requests).toEqual([]);
  });
});
