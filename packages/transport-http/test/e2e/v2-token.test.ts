import { createEmulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrixTransport } from '../../src/transport.js';

type Emulator = Awaited<ReturnType<typeof createEmulator>>;
const emulators: Emulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});

describe('a v2 bot configured by its token only, over a webhook', () => {
  it('sends the token as CLIENT_ID, so the Open Lines methods find the bot', async () => {
    const emulator = await createEmulator({ rateLimit: false });
    emulators.push(emulator);
    const portal = emulator.createPortal();
    const webhook = portal.createWebhook();
    const bot = portal.registerBot({ eventsVersion: 2 });
    const operator = portal.createOperator();
    const line = portal.createLine({ queue: [operator.userId] });
    const transport = createBitrixTransport({
      portals: {
        [portal.memberId]: {
          auth: { type: 'webhook', url: webhook.baseUrl },
          // No v1 clientId: the bot's v2 token is all the configuration has.
          bot: { id: bot.botId, token: bot.clientId, api: 'v2' },
        },
      },
    });
    const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId });
    const other = portal.createClientChat({ lineId: line.lineId, botId: bot.botId });
    const key = (chatId: number) => ({ portal: portal.memberId, chatId });

    const transfer = await transport.transfer({
      ...key(chat.chatId),
      target: { kind: 'user', userId: operator.userId },
      leave: false,
    });
    expect(transfer).toEqual({ ok: true, value: undefined });
    expect(portal.chat(chat.chatId).transfers).toHaveLength(1);
    expect(await transport.finishSession(key(other.chatId))).toEqual({ ok: true, value: undefined });
    expect(portal.chat(other.chatId).state).toBe('finished');

    const sent = emulator.requests.filter((request) => request.method === 'imopenlines.bot.session.transfer');
    expect(sent.map((request) => request.error ?? 'ok')).toEqual(['ok']);
    await transport.close();
  });
});
