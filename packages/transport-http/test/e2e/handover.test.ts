import { afterEach, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from '../helpers/e2e.js';

let e2e: E2E | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

async function begin(options?: Parameters<typeof startE2E>[0]): Promise<E2E> {
  e2e = await startE2E(options);
  return e2e;
}

const stateOf = async (t: E2E, chatId: number) => (await t.engine.getChat(t.key(chatId)))?.state;

describe('hand-over end to end over real HTTP', () => {
  it('LEAVE=Y: the transfer removes the bot at once and the chat belongs to the operator', async () => {
    const t = await begin();
    const { chatId } = t.newChat();
    await t.portal.clientWrites(chatId, 'I need a human');
    await t.requestTransfer(chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: true });
    await t.settle(async () => (await stateOf(t, chatId)) === 'operator');
    const chat = t.portal.chat(chatId);
    expect(chat.transfers).toEqual([{ to: { userId: t.operatorA.userId }, leave: true }]);
    expect(chat.botPresent).toBe(false);
    expect(t.rejected).toEqual([]);
  });

  it('LEAVE=N: the bot stays, sees the operator answer, and Baton removes it', async () => {
    const t = await begin();
    const { chatId } = t.newChat();
    await t.portal.clientWrites(chatId, 'hello');
    await t.requestTransfer(chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    await t.settle(async () => (await stateOf(t, chatId)) === 'awaitingOperator');
    expect(t.portal.chat(chatId)).toMatchObject({
      botPresent: true,
      state: 'waiting',
      waitingOperatorId: t.operatorA.userId,
    });

    const answers: string[] = [];
    t.engine.on('operator.answered', ({ source }) => answers.push(source));
    await t.portal.operatorWrites(chatId, t.operatorA.userId, 'Hi, I am Ann');
    await t.settle(
      async () => (await stateOf(t, chatId)) === 'operator' && !t.portal.chat(chatId).botPresent,
    );
    expect(t.portal.chat(chatId)).toMatchObject({
      botPresent: false,
      ownerId: t.operatorA.userId,
      state: 'answered',
    });
    expect(answers).toEqual(['message']); // the operator's message reached the engine through the handler
  });

  it('a bot kicked by someone else is "already gone" when Baton removes it', async () => {
    const t = await begin();
    const { chatId } = t.newChat();
    await t.requestTransfer(chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    await t.settle(async () => (await stateOf(t, chatId)) === 'awaitingOperator');
    const left: string[] = [];
    t.engine.on('bot.left', ({ reason }) => left.push(reason));
    await t.portal.operatorWrites(chatId, t.operatorA.userId, 'Hello');
    t.portal.kickBot(chatId);
    await t.settle(async () => left.length > 0);
    expect(left).toEqual(['alreadyGone']);
    expect(await stateOf(t, chatId)).toBe('operator');
  });

  it("a queue transfer completes on the platform's answer notice, before any operator message or poll", async () => {
    const t = await begin({ engine: { confirmationPollIntervalMs: 100 } });
    const { chatId } = t.newChat();
    await t.requestTransfer(chatId, { target: { kind: 'queue', queueId: t.line.lineId }, leave: true });
    await t.settle(async () => (await stateOf(t, chatId)) === 'awaitingOperator');
    expect(t.portal.chat(chatId).transfers).toEqual([{ to: { queueId: t.line.lineId }, leave: true }]);
    expect(t.portal.chat(chatId).botPresent).toBe(true); // LEAVE is ignored for queues

    const answers: Array<{ source: string; operatorId: number | null }> = [];
    t.engine.on('operator.answered', ({ source, operatorId }) => answers.push({ source, operatorId }));
    const waiting = t.portal.chat(chatId).waitingOperatorId ?? t.operatorA.userId;
    await t.portal.operatorAnswers(chatId, waiting);
    await t.settle(
      async () => (await stateOf(t, chatId)) === 'operator' && !t.portal.chat(chatId).botPresent,
    );
    // The answer notice (a system message from the operator) carries the owner: no request needed.
    expect(answers).toEqual([{ source: 'message', operatorId: waiting }]);
  });

  it('a skipped chat is answered by the next operator of the queue, seen through polling', async () => {
    const t = await begin({ engine: { confirmationPollIntervalMs: 100 } });
    const { chatId } = t.newChat();
    await t.requestTransfer(chatId, { target: { kind: 'queue', queueId: t.line.lineId }, leave: false });
    await t.settle(async () => (await stateOf(t, chatId)) === 'awaitingOperator');
    const first = t.portal.chat(chatId).waitingOperatorId;
    expect(first).not.toBeNull();
    await t.portal.operatorSkips(chatId, first ?? 0);
    const next = t.portal.chat(chatId).waitingOperatorId;
    expect(next).not.toBe(first);
    await t.portal.operatorAnswers(chatId, next ?? 0);
    await t.settle(
      async () => (await stateOf(t, chatId)) === 'operator' && !t.portal.chat(chatId).botPresent,
    );
  });

  it('a timeout falls back to the next step of the plan', async () => {
    const t = await begin();
    const { chatId } = t.newChat();
    await t.requestTransfer(chatId, {
      plan: [
        { target: { kind: 'user', userId: t.operatorA.userId }, leave: false, confirmationTimeoutMs: 150 },
        { target: { kind: 'user', userId: t.operatorB.userId }, leave: false, confirmationTimeoutMs: 60_000 },
      ],
    });
    await t.settle(() => t.portal.chat(chatId).transfers.length === 2);
    expect(t.portal.chat(chatId).transfers.map((transfer) => transfer.to)).toEqual([
      { userId: t.operatorA.userId },
      { userId: t.operatorB.userId },
    ]);
    expect(await stateOf(t, chatId)).toBe('awaitingOperator');
    await t.portal.operatorWrites(chatId, t.operatorB.userId, 'Bob here');
    await t.settle(
      async () => (await stateOf(t, chatId)) === 'operator' && !t.portal.chat(chatId).botPresent,
    );
  });

  it('a client typing 0 removes the bot on the platform, and the engine follows', async () => {
    const t = await begin();
    const { chatId } = t.newChat();
    await t.portal.clientWrites(chatId, '0');
    await t.settle(async () => (await stateOf(t, chatId)) === 'operator');
    expect(t.portal.chat(chatId).botPresent).toBe(false);
  });

  it('works the same with v2 events and the v2 bot API', async () => {
    const t = await begin({ eventsVersion: 2 });
    const { chatId } = t.newChat();
    await t.portal.clientWrites(chatId, 'hello');
    await t.requestTransfer(chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    await t.settle(async () => (await stateOf(t, chatId)) === 'awaitingOperator');
    await t.portal.operatorWrites(chatId, t.operatorA.userId, 'Hi');
    await t.settle(
      async () => (await stateOf(t, chatId)) === 'operator' && !t.portal.chat(chatId).botPresent,
    );
    expect(t.emulator.requests.some((request) => request.method === 'imbot.v2.Chat.leave')).toBe(true);
    expect(t.rejected).toEqual([]);
  });

  it('with OAuth, a token that expires in the middle of a hand-over is refreshed once and the hand-over completes', async () => {
    const t = await begin({ auth: 'oauth', engine: { confirmationPollIntervalMs: 100 } });
    const chats = [t.newChat().chatId, t.newChat().chatId, t.newChat().chatId];
    for (const chatId of chats) {
      await t.requestTransfer(chatId, { target: { kind: 'user', userId: t.operatorA.userId }, leave: false });
    }
    await t.settle(async () => {
      const states = await Promise.all(chats.map((chatId) => stateOf(t, chatId)));
      return states.every((state) => state === 'awaitingOperator');
    });
    const before = await t.tokens?.get(t.portal.memberId);
    t.portal.expireAccessTokens();
    for (const chatId of chats) await t.portal.operatorAnswers(chatId, t.operatorA.userId);
    await t.settle(async () => {
      const states = await Promise.all(chats.map((chatId) => stateOf(t, chatId)));
      return (
        states.every((state) => state === 'operator') && chats.every((id) => !t.portal.chat(id).botPresent)
      );
    });
    // Polls and removals of three chats hit the expired token at once: one refresh served them all.
    expect(t.emulator.requests.filter((request) => request.method === 'oauth.token')).toHaveLength(1);
    const after = await t.tokens?.get(t.portal.memberId);
    expect(after?.refreshToken).toBeDefined();
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(t.rejected).toEqual([]);
  });
});
