import { transportConformanceSuite } from '@baton/core/testing';
import { createEmulator, type Emulator } from '@baton/testkit';
import { type BitrixTransport, createBitrixTransport } from '../../src/transport.js';

const emulators = new WeakMap<BitrixTransport, Emulator>();

transportConformanceSuite<BitrixTransport>('Bitrix24 REST transport against the emulator', {
  create: async () => {
    const emulator = await createEmulator({ host: '127.0.0.1', port: 0, rateLimit: false });
    const portal = emulator.createPortal();
    const webhook = portal.createWebhook();
    const bot = portal.registerBot({ eventsVersion: 1 });
    const operator = portal.createOperator({ name: 'Ann' });
    const line = portal.createLine({ name: 'Support', queue: [operator.userId] });
    const transport = createBitrixTransport({
      portals: {
        [portal.memberId]: {
          auth: { type: 'webhook', url: webhook.baseUrl },
          bot: { id: bot.botId, clientId: bot.clientId },
        },
      },
      timeoutMs: 2_000,
    });
    emulators.set(transport, emulator);
    return {
      transport,
      operatorId: operator.userId,
      newChat: async () => {
        const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId });
        return { portal: portal.memberId, chatId: chat.chatId };
      },
      answer: (chat, operatorId) => portal.operatorAnswers(chat.chatId, operatorId),
    };
  },
  destroy: async ({ transport }) => {
    await transport.close();
    await emulators.get(transport)?.close();
  },
});
