// One file that tests a Baton bot end to end: the portal emulator of @baton/testkit over real
// HTTP, the bot of src/bot.ts (the root README's example) started as in production.
import type { AddressInfo } from 'node:net';
import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBot } from '../src/bot.js';

// Background work (the outbox, timers) on a loaded machine can take more than vitest's 1 s default.
const settle = { timeout: 10_000, interval: 20 };

describe('the bot', () => {
  let emulator: Emulator;
  let bot: Awaited<ReturnType<typeof startBot>>;
  let portal: ReturnType<Emulator['createPortal']>;
  let operatorId: number;
  let chatId: number;

  beforeEach(async () => {
    emulator = await createEmulator();
    portal = emulator.createPortal();
    operatorId = portal.createOperator({ name: 'Anna Petrova' }).userId;
    const line = portal.createLine({ name: 'Support', queue: [operatorId] });
    const botId = 100_000 + Math.floor(Math.random() * 900_000);
    bot = await startBot({
      memberId: portal.memberId,
      webhookUrl: portal.createWebhook().baseUrl,
      applicationToken: portal.applicationToken,
      botId,
      botClientId: 'support-bot',
      plan: [{ target: { kind: 'user', userId: operatorId }, leave: false, confirmationTimeoutMs: 60_000 }],
      port: 0,
      host: '127.0.0.1',
    });
    const { port } = bot.server.address() as AddressInfo;
    portal.registerBot({ botId, clientId: 'support-bot', eventHandlerUrl: `http://127.0.0.1:${port}/` });
    chatId = portal.createClientChat({ lineId: line.lineId, botId }).chatId;
  });

  afterEach(async () => {
    await bot.stop();
    await emulator.close();
  });

  const textsOf = () => portal.messages(chatId).map((message) => message.text);

  it('answers the client itself', async () => {
    await portal.clientWrites(chatId, 'What are your opening hours?');
    await vi.waitFor(
      () =>
        expect(textsOf()).toContain(
          'You wrote "What are your opening hours?". Type "operator" to talk to a person.',
        ),
      settle,
    );
    expect(portal.chat(chatId)).toMatchObject({ state: 'bot', botPresent: true });
  });

  it('hands the chat to an operator on request and leaves once the operator accepted', async () => {
    await portal.clientWrites(chatId, 'I need a human, please');
    await vi.waitFor(
      () => expect(portal.chat(chatId)).toMatchObject({ waitingOperatorId: operatorId }),
      settle,
    );
    expect(textsOf()).toContain('Connecting you to an operator…');
    expect(portal.chat(chatId).botPresent).toBe(true); // LEAVE=N: the bot stays until the answer

    // The operator accepts without typing: the answer notice's owner field is the signal.
    await portal.operatorAnswers(chatId, operatorId);
    await vi.waitFor(
      () => expect(portal.chat(chatId)).toMatchObject({ ownerId: operatorId, botPresent: false }),
      settle,
    );
    expect(await bot.engine.getChat({ portal: portal.memberId, chatId })).toMatchObject({
      state: 'operator',
    });

    // The client's next messages are the operator's, not the bot's.
    const { messageId } = await portal.clientWrites(chatId, 'Thank you!');
    expect(messageId).toBeGreaterThan(0);
    expect(textsOf().filter((text) => text.startsWith('You wrote'))).toEqual([]);
  });
});
