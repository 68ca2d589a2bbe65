import { type ChatKey, createEngine, type Transport, type TransportResult } from '@baton/core';
import { createFakeTransport, transportConformanceSuite } from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

const portal = 'b24-7f3a9c';
let nextChatId = 104_201;

transportConformanceSuite('fake transport', {
  create: async () => {
    const transport = createFakeTransport();
    return {
      transport,
      operatorId: 200_417,
      newChat: async () => ({ portal, chatId: nextChatId++ }),
      answer: async (chat, operatorId) => transport.setDialogOwner(chat, operatorId),
    };
  },
  destroy: (platform) => platform.transport.close(),
});

/** A transport with only the four calls the lifecycle makes, over a tiny in-memory platform. */
function createMinimalPlatform() {
  const slot = (chat: ChatKey) => `${chat.portal}/${chat.chatId}`;
  const owners = new Map<string, number>();
  const botIn = new Set<string>();
  const aborted = (signal: AbortSignal | undefined): TransportResult<never> | undefined =>
    signal?.aborted
      ? { ok: false, error: { code: 'ABORTED', retryable: false, message: 'The call was aborted' } }
      : undefined;
  const transport: Transport = {
    transfer: async (_request, options) => aborted(options?.signal) ?? { ok: true, value: undefined },
    removeBot: async (chat, options) =>
      aborted(options?.signal) ?? { ok: true, value: { alreadyGone: !botIn.delete(slot(chat)) } },
    readDialogOwner: async (chat, options) =>
      aborted(options?.signal) ?? {
        ok: true,
        value: { ownerId: owners.get(slot(chat)) ?? 0, botPresent: botIn.has(slot(chat)) },
      },
    sendBotMessage: async (_chat, options) => aborted(options?.signal) ?? { ok: true, value: undefined },
  };
  return {
    transport,
    operatorId: 200_418,
    newChat: async () => {
      const chat = { portal, chatId: nextChatId++ };
      botIn.add(slot(chat));
      return chat;
    },
    answer: async (chat: ChatKey, operatorId: number) => {
      owners.set(slot(chat), operatorId);
    },
    botIn: (chat: ChatKey) => botIn.has(slot(chat)),
  };
}

transportConformanceSuite('a transport with only the calls the lifecycle makes', {
  create: async () => createMinimalPlatform(),
  destroy: async () => {},
});

describe('a transport with only the calls the lifecycle makes', () => {
  it('runs the engine through a hand-over: transfer, answer, bot removal', async () => {
    const platform = createMinimalPlatform();
    const engine = createEngine({ transport: platform.transport });
    const chat = await platform.newChat();
    await engine.dispatch({
      type: 'transfer.request',
      id: 'handover-104900',
      ...chat,
      plan: [
        {
          target: { kind: 'user', userId: platform.operatorId },
          leave: false,
          confirmationTimeoutMs: 60_000,
        },
      ],
    });
    await engine.drain();
    expect((await engine.getChat(chat))?.state).toBe('awaitingOperator');
    await platform.answer(chat, platform.operatorId);
    await engine.operatorAnswered({ ...chat, operatorId: platform.operatorId });
    await engine.drain();
    expect((await engine.getChat(chat))?.state).toBe('operator');
    expect(platform.botIn(chat)).toBe(false);
    await engine.stop();
  });
});
