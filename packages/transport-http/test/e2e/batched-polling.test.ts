import { type ChatKey, createEngine, createMemoryRateLimiter, type Engine, withHeadroom } from '@baton/core';
import { createManualClock } from '@baton/core/fakes';
import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type BitrixTransport, createBitrixTransport } from '../../src/transport.js';

// Confirmation polling of many chats of one portal over real HTTP: the polls that come due in one
// interval are read with one `batch` request per 50 chats (owners only), every answer is still found by a poll,
// and one chat whose read fails inside the batch is retried without failing the others.

const intervalMs = 1_000;
const chatCount = 40;
/** Room for 40 hand-overs and their bot removals at once: this test counts requests, not waits. */
const limit = { ratePerSecond: 50, burst: 100 };
/** The engine's loops look for due timers this often (its polls gather 200 ms, the least). */
const workerPollMs = 50;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function until(done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > giveUpAt) throw new Error('the polls did not settle in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function setUp() {
  const emulator: Emulator = await createEmulator({ host: '127.0.0.1', port: 0, rateLimit: limit });
  const portal = emulator.createPortal();
  const webhook = portal.createWebhook();
  // No event handler: an operator's answer reaches Baton only through the dialog poll.
  const bot = portal.registerBot({ code: 'support_bot' });
  const operator = portal.createOperator({ name: 'Ann' });
  const line = portal.createLine({ name: 'Support', queue: [operator.userId] });
  const transport: BitrixTransport = createBitrixTransport({
    portals: {
      [portal.memberId]: {
        auth: { type: 'webhook', url: webhook.baseUrl },
        bot: { id: bot.botId, clientId: bot.clientId },
      },
    },
    rateLimiter: createMemoryRateLimiter({ limit: withHeadroom(limit) }),
    timeoutMs: 5_000,
  });
  const clock = createManualClock();
  const engine: Engine = createEngine({
    transport,
    clock,
    confirmationPollIntervalMs: intervalMs,
    worker: { pollIntervalMs: workerPollMs },
  });
  const answers: Array<{ chatId: number; source: string }> = [];
  engine.on('operator.answered', ({ key, source }) => answers.push({ chatId: key.chatId, source }));
  close = async () => {
    await engine.stop();
    await transport.close();
    await emulator.close();
  };
  return { emulator, portal, operator, line, bot, transport, clock, engine, answers };
}

describe('batched confirmation polling over HTTP', () => {
  it('40 chats of one portal: one request per interval, every answer found by a poll, a failed read retried alone', async () => {
    const t = await setUp();
    const keys: ChatKey[] = [];
    for (let index = 0; index < chatCount; index += 1) {
      const chat = t.portal.createClientChat({ lineId: t.line.lineId, botId: t.bot.botId });
      keys.push({ portal: t.portal.memberId, chatId: chat.chatId });
      await t.engine.dispatch({
        type: 'transfer.request',
        id: `handover-${chat.chatId}`,
        portal: t.portal.memberId,
        chatId: chat.chatId,
        plan: [
          {
            target: { kind: 'user', userId: t.operator.userId },
            leave: false,
            confirmationTimeoutMs: 600_000,
          },
        ],
      });
      await t.engine.drain();
      // Chats start waiting at different moments of the interval.
      t.clock.advance(20);
    }
    for (const key of keys) expect((await t.engine.getChat(key))?.state).toBe('awaitingOperator');
    t.engine.start();

    const pollTimers = async () =>
      Promise.all(keys.map(async (key) => (await t.engine.getChat(key))?.context.pollTimer ?? null));
    /** Every read's outcome is in, and the bot has left every chat an operator answered. */
    const quiet = async () =>
      (await Promise.all(keys.map((key) => t.engine.getChat(key)))).every((chat) =>
        chat?.state === 'operator' ? !chat.context.botPresent : !chat?.context.awaitedEffect,
      );
    /**
     * One poll interval, the clock moving in quarters (so that polls due at different moments
     * would come due in different quarters): waits until its reads, and the bot removals they
     * lead to, are done.
     */
    async function interval() {
      t.emulator.resetRequests();
      const before = await pollTimers();
      for (let quarter = 0; quarter < 4; quarter += 1) {
        t.clock.advance(intervalMs / 4);
        await new Promise((resolve) => setTimeout(resolve, workerPollMs * 3));
        await until(quiet);
      }
      await until(async () => {
        const after = await pollTimers();
        const chats = await Promise.all(keys.map((key) => t.engine.getChat(key)));
        return chats.every((chat, index) => chat?.state === 'operator' || after[index] !== before[index]);
      });
      await until(quiet);
      const requests = t.emulator.requests.filter((request) => request.portal === t.portal.memberId);
      expect(requests.filter((request) => request.error !== undefined)).toEqual([]);
      return {
        polls: requests.filter((request) => request.method === 'batch').length,
        others: requests.filter((request) => request.method !== 'batch').map((request) => request.method),
      };
    }
    const states = async () => Promise.all(keys.map(async (key) => (await t.engine.getChat(key))?.state));

    // Nobody answered: 40 reads in 1 request.
    expect(await interval()).toEqual({ polls: 1, others: [] });
    expect((await states()).every((state) => state === 'awaitingOperator')).toBe(true);

    // Ten operators answer on the platform: the next polls find them; the bot then leaves each.
    for (const key of keys.slice(0, 10)) await t.portal.operatorAnswers(key.chatId, t.operator.userId);
    expect(await interval()).toEqual({ polls: 1, others: Array(10).fill('imbot.chat.leave') });
    expect(await states()).toEqual([...Array(10).fill('operator'), ...Array(30).fill('awaitingOperator')]);

    // Everyone else answers, but one chat's read fails inside its batch: only that chat waits on.
    const failing = keys[27] as ChatKey;
    const fault = t.emulator.faults.add({
      method: 'imopenlines.dialog.get',
      kind: 'status',
      status: 500,
      inBatch: true,
      chatId: failing.chatId,
      times: 1,
    });
    for (const key of keys.slice(10)) await t.portal.operatorAnswers(key.chatId, t.operator.userId);
    expect(await interval()).toEqual({ polls: 1, others: Array(29).fill('imbot.chat.leave') });
    expect(fault.hits).toBe(1);
    expect((await t.engine.getChat(failing))?.state).toBe('awaitingOperator');
    expect((await states()).filter((state) => state === 'operator')).toHaveLength(39);

    // Its next poll reads it alone, and finds the answer.
    expect(await interval()).toEqual({ polls: 1, others: ['imbot.chat.leave'] });
    expect((await t.engine.getChat(failing))?.state).toBe('operator');
    expect((await t.engine.getChat(failing))?.context.operatorId).toBe(t.operator.userId);
    expect(t.answers).toHaveLength(chatCount);
    expect(t.answers.every((answer) => answer.source === 'poll')).toBe(true);
  });
});
