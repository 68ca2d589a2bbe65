import type { BatonEventInput } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from '../helpers/e2e.js';

// The platform's real event stream, end to end over HTTP: the emulator posts what the platform
// posts (section 0 of the facts: system notices, the owner field, session ids, re-joins, real ids),
// Baton's handler parses it, the engine acts, and the transport calls back into the emulator.

let e2e: E2E | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

async function begin(options: Parameters<typeof startE2E>[0] = {}): Promise<E2E> {
  e2e = await startE2E({ bot: { botId: 1_048_577 }, ...options });
  return e2e;
}

const viewOf = async (t: E2E, chatId: number) => {
  const chat = await t.engine.getChat(t.key(chatId));
  return { state: chat?.state, operatorId: chat?.context.operatorId, botPresent: chat?.context.botPresent };
};
const stateOf = async (t: E2E, chatId: number) => (await viewOf(t, chatId)).state;
const routesOf = (t: E2E, text: string) =>
  t.dispatched
    .filter(({ event }) => event.type === 'message' && (event as { text?: string }).text === text)
    .map(({ result }) => result.route);

async function handOver(t: E2E, chatId: number, fields: Record<string, unknown>, until = 'awaitingOperator') {
  await t.requestTransfer(chatId, fields);
  await t.settle(async () => (await stateOf(t, chatId)) === until);
}

describe.each([1, 2] as const)("the platform's event stream, v%i events", (eventsVersion) => {
  it('1. a bot with a seven-digit id hears the client and the operator', async () => {
    const t = await begin({ eventsVersion });
    expect(t.bot.botId).toBe(1_048_577);
    const { chatId } = t.newChat();
    expect(chatId).toBeGreaterThanOrEqual(10_000);
    await t.portal.clientWrites(chatId, 'I have a question about my order');
    expect(routesOf(t, 'I have a question about my order')).toEqual(['bot']);
    expect(t.rejected).toEqual([]);
    const message = t.dispatched.find(({ event }) => event.type === 'message')?.event;
    expect(message).toMatchObject({
      botId: 1_048_577,
      ownerId: 0,
      sessionId: t.portal.chat(chatId).sessionId,
    });
  });

  it('2. a finished session returns the chat to the bot: the next session is the bot’s again', async () => {
    const t = await begin({ eventsVersion });
    const { chatId } = t.newChat();
    await t.portal.clientWrites(chatId, 'operator please');
    await handOver(t, chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    await t.portal.operatorWrites(chatId, t.operatorA.userId, 'Hello, this is Ann');
    await t.settle(async () => !t.portal.chat(chatId).botPresent);
    const firstSession = t.portal.chat(chatId).sessionId;
    await t.portal.operatorFinishes(chatId, t.operatorA.userId);
    await t.portal.clientWrites(chatId, 'one more question');
    await t.emulator.idle();
    expect(t.portal.chat(chatId).sessionId).not.toBe(firstSession);
    expect(await stateOf(t, chatId)).toBe('bot');
    expect(routesOf(t, 'one more question')).toEqual(['bot']);
  });

  it('3. a skip notice is not an answer: the bot stays and the deadline still runs', async () => {
    const t = await begin({ eventsVersion });
    const { chatId } = t.newChat();
    await handOver(t, chatId, {
      target: { kind: 'queue', queueId: t.line.lineId },
      leave: false,
      confirmationTimeoutMs: 60_000,
    });
    const offered = t.portal.chat(chatId).waitingOperatorId ?? 0;
    await t.portal.operatorSkips(chatId, offered);
    await t.engine.drain();
    expect(t.portal.messages(chatId).some((m) => m.system && m.authorId === offered)).toBe(true);
    expect(await viewOf(t, chatId)).toEqual({
      state: 'awaitingOperator',
      operatorId: null,
      botPresent: true,
    });
    expect(t.emulator.requests.filter((r) => r.method === 'imbot.chat.leave')).toEqual([]);
    expect(t.portal.chat(chatId).botPresent).toBe(true);
  });

  it("4. a client's 0 after a transfer is an ordinary message, and the bot is removed after the answer", async () => {
    const t = await begin({ eventsVersion });
    const { chatId } = t.newChat();
    await handOver(t, chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    await t.portal.clientWrites(chatId, '0');
    expect(t.portal.chat(chatId).botPresent).toBe(true);
    expect(await viewOf(t, chatId)).toMatchObject({ state: 'awaitingOperator', botPresent: true });
    await t.portal.operatorAnswers(chatId, t.operatorA.userId);
    await t.settle(async () => !t.portal.chat(chatId).botPresent);
    expect(await viewOf(t, chatId)).toEqual({
      state: 'operator',
      operatorId: t.operatorA.userId,
      botPresent: false,
    });
  });

  it('5. an answer after handoff.failed moves the chat to the operator and removes the bot', async () => {
    const t = await begin({ eventsVersion });
    const { chatId } = t.newChat();
    const failed: string[] = [];
    t.engine.on('handoff.failed', ({ code }) => failed.push(code));
    await handOver(t, chatId, {
      target: { kind: 'user', userId: t.operatorA.userId },
      leave: false,
      confirmationTimeoutMs: 200,
    });
    await t.settle(async () => failed.length > 0);
    expect(await stateOf(t, chatId)).toBe('bot');
    await t.portal.operatorAnswers(chatId, t.operatorA.userId);
    await t.settle(async () => !t.portal.chat(chatId).botPresent);
    expect(await viewOf(t, chatId)).toEqual({
      state: 'operator',
      operatorId: t.operatorA.userId,
      botPresent: false,
    });
  });

  it('6. a LEAVE=Y transfer whose answer is lost counts as made: read back, not repeated', async () => {
    const t = await begin({ eventsVersion });
    const { chatId } = t.newChat();
    t.emulator.faults.add({
      method: 'imopenlines.bot.session.transfer',
      kind: 'reset',
      when: 'after',
      times: 1,
    });
    await handOver(
      t,
      chatId,
      { target: { kind: 'user', userId: t.operatorA.userId }, leave: true },
      'operator',
    );
    expect(t.emulator.requests.filter((r) => r.method === 'imopenlines.bot.session.transfer')).toHaveLength(
      1,
    );
    expect(await viewOf(t, chatId)).toEqual({
      state: 'operator',
      operatorId: t.operatorA.userId,
      botPresent: false,
    });
    expect(t.portal.chat(chatId)).toMatchObject({ botPresent: false, waitingOperatorId: t.operatorA.userId });
  });

  it('9. the engine takes no effect.result or timer.fired from its callers', async () => {
    const t = await begin({ eventsVersion });
    const { chatId } = t.newChat();
    await handOver(t, chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    const chat = await t.engine.getChat(t.key(chatId));
    const forged = [
      { type: 'effect.result', effectId: 'transfer:1.1', outcome: { ok: true, ownerId: t.operatorA.userId } },
      { type: 'timer.fired', timerId: chat?.context.confirmationTimer ?? '' },
    ];
    for (const fields of forged) {
      await expect(
        t.engine.dispatch({
          id: `forged-${fields.type}`,
          ...t.key(chatId),
          ...fields,
        } as unknown as BatonEventInput),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect((await t.engine.getChat(t.key(chatId)))?.version).toBe(chat?.version);
  });
});

describe('a v2 bot configured by its token only', () => {
  it('7. hands over through a webhook: the token stands in for CLIENT_ID', async () => {
    const t = await begin({
      eventsVersion: 2,
      bot: { botId: 1_048_577, botToken: 'b0t-t0ken-9f1c2e' },
      transportBot: (bot) => ({ id: bot.botId, token: bot.botToken, api: 'v2' }),
    });
    const { chatId } = t.newChat();
    await handOver(t, chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    expect(t.emulator.requests.filter((r) => r.error === 'BOT_ID_ERROR')).toEqual([]);
    expect(t.portal.chat(chatId).waitingOperatorId).toBe(t.operatorA.userId);
  });
});

describe('one chat through three sessions', () => {
  it.each([1, 2] as const)(
    'bot → LEAVE=N → operator → bot → queue → operator → bot (v%i)',
    async (eventsVersion) => {
      const t = await begin({ eventsVersion });
      const { chatId } = t.newChat();
      const sessions: number[] = [];
      const expectRoute = async (text: string, route: string) => {
        await t.portal.clientWrites(chatId, text);
        await t.emulator.idle();
        expect(routesOf(t, text), text).toEqual([route]);
      };

      // Session 1: the bot, then a LEAVE=N hand-over to Ann, who answers; Baton removes the bot.
      await expectRoute('hi, where is my parcel?', 'bot');
      sessions.push(t.portal.chat(chatId).sessionId);
      await handOver(t, chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
      await expectRoute('still waiting', 'bot');
      await t.portal.operatorWrites(chatId, t.operatorA.userId, 'Hello, Ann here');
      await t.settle(async () => !t.portal.chat(chatId).botPresent);
      expect(await viewOf(t, chatId)).toEqual({
        state: 'operator',
        operatorId: t.operatorA.userId,
        botPresent: false,
      });
      await t.portal.operatorFinishes(chatId, t.operatorA.userId);

      // Session 2: the client writes again; the bot re-joins and holds it; a queue hand-over.
      await expectRoute('hello again', 'bot');
      sessions.push(t.portal.chat(chatId).sessionId);
      expect(await viewOf(t, chatId)).toEqual({ state: 'bot', operatorId: null, botPresent: true });
      await handOver(t, chatId, { target: { kind: 'queue', queueId: t.line.lineId }, leave: false });
      const offered = t.portal.chat(chatId).waitingOperatorId ?? 0;
      await t.portal.operatorAnswers(chatId, offered);
      await t.settle(async () => !t.portal.chat(chatId).botPresent);
      expect(await viewOf(t, chatId)).toEqual({ state: 'operator', operatorId: offered, botPresent: false });
      await t.portal.operatorFinishes(chatId, offered);

      // Session 3: the bot again.
      await expectRoute('thanks, one last thing', 'bot');
      sessions.push(t.portal.chat(chatId).sessionId);
      expect(await viewOf(t, chatId)).toEqual({ state: 'bot', operatorId: null, botPresent: true });
      // Session ids only grow, as the platform's database ids do.
      expect(new Set(sessions).size).toBe(3);
      expect([...sessions].sort((a, b) => a - b)).toEqual(sessions);
      expect(t.rejected).toEqual([]);
    },
  );
});
