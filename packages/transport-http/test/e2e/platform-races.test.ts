import { createMemoryRateLimiter, type Notice, type PlanStep } from '@baton/core';
import { createManualClock, type ManualClock } from '@baton/core/fakes';
import { afterEach, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from '../helpers/e2e.js';

// The races of a hand-over, each run 100 times over real HTTP against the emulator, with the
// engine's deadlines on a manual clock: whatever the order, one outcome, and at the end Baton's
// view of the chat (who holds it, whether the bot is there) agrees with the platform's.

const runs = Number(process.env.BATON_RACE_RUNS ?? 100);
let e2e: E2E | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

async function begin() {
  const clock = createManualClock();
  // A portal with a generous bucket: the races are about order, not about the rate limit.
  const rateLimit = { ratePerSecond: 10_000, burst: 10_000 };
  e2e = await startE2E({
    bot: { botId: 1_048_577 },
    engine: { clock },
    emulator: { rateLimit },
    transport: { rateLimiter: createMemoryRateLimiter({ limit: rateLimit }) },
  });
  const notices: Array<{ chatId: number; type: string }> = [];
  for (const type of ['operator.answered', 'handoff.failed', 'bot.left'] as const) {
    e2e.engine.on(type, (payload) => notices.push({ chatId: payload.key.chatId, type }));
  }
  return { t: e2e, clock, notices };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the racing actions in a random order, each after a random short delay, all at once. */
async function race(...actions: Array<() => Promise<unknown>>): Promise<void> {
  await Promise.all(
    actions.map(async (action) => {
      await pause(Math.random() * 4);
      try {
        await action();
      } catch {
        // An action the platform refuses by then (an operator no longer offered the chat) is part of the race.
      }
    }),
  );
}

interface Views {
  readonly baton: {
    state: string | undefined;
    operatorId: number | null | undefined;
    botPresent: boolean | undefined;
  };
  readonly platform: { ownerId: number; botPresent: boolean; sessionOperatorId: number | null };
}

async function views(t: E2E, chatId: number): Promise<Views> {
  const chat = await t.engine.getChat(t.key(chatId));
  const { ownerId, botPresent, sessionOperatorId } = t.portal.chat(chatId);
  return {
    baton: { state: chat?.state, operatorId: chat?.context.operatorId, botPresent: chat?.context.botPresent },
    platform: { ownerId, botPresent, sessionOperatorId },
  };
}

/** Lets deliveries, calls and results run until neither side changes any more. */
async function quiesce(t: E2E, chatId: number): Promise<Views> {
  let last = '';
  for (let round = 0; round < 200; round += 1) {
    await t.emulator.idle();
    await t.engine.drain();
    const now = await views(t, chatId);
    const text = JSON.stringify(now);
    if (text === last) return now;
    last = text;
    await pause(2);
  }
  throw new Error(`chat ${chatId} never settled: ${last}`);
}

const outcomes = new Map<string, number>();
/** Counts how each run ended, printed after each race, so that a race that never goes both ways shows. */
function tally({ baton }: Views): void {
  const label = `${baton.state}${baton.operatorId ? ` (operator ${baton.operatorId})` : ''}`;
  outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
}
afterEach((context) => {
  console.log(`${context.task.name}: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  outcomes.clear();
});

/** Baton agrees with the platform: the same holder, the bot in the chat on both sides or neither. */
function expectAgreement({ baton, platform }: Views, label: string): void {
  expect(baton.botPresent, `${label}: bot present`).toBe(platform.botPresent);
  if (platform.ownerId > 0) {
    expect({ state: baton.state, operatorId: baton.operatorId }, label).toEqual({
      state: 'operator',
      operatorId: platform.ownerId,
    });
  } else if (!platform.botPresent) {
    // LEAVE=Y: the bot left with the transfer, and its target holds the chat.
    expect({ state: baton.state, operatorId: baton.operatorId }, label).toEqual({
      state: 'operator',
      operatorId: platform.sessionOperatorId,
    });
  } else {
    expect(baton.state, label).not.toBe('operator');
  }
}

/** Fires the current step's deadline: the manual clock moves on and the engine runs its due timers. */
const deadline = (t: E2E, clock: ManualClock, ms: number) => async () => {
  clock.advance(ms);
  await t.engine.drain();
};

/** Lets the run settle, counts its outcome, and checks that Baton agrees with the platform. */
async function settleAgreed(t: E2E, chatId: number, run: number): Promise<Views> {
  const settled = await quiesce(t, chatId);
  tally(settled);
  expectAgreement(settled, `run ${run}`);
  return settled;
}

async function awaiting(t: E2E, plan: PlanStep[]): Promise<number> {
  const { chatId } = t.newChat();
  await t.portal.clientWrites(chatId, 'Can I talk to a person?');
  await t.requestTransfer(chatId, { plan });
  await t.engine.drain();
  return chatId;
}

const user = (userId: number, confirmationTimeoutMs: number, leave = false): PlanStep => ({
  target: { kind: 'user', userId },
  leave,
  confirmationTimeoutMs,
});

const countOf = (notices: Array<{ chatId: number; type: string }>, chatId: number, type: Notice['type']) =>
  notices.filter((n) => n.chatId === chatId && n.type === type).length;

describe('the races of a hand-over, 100 runs each', () => {
  it('an answer against the deadline', async () => {
    const { t, clock, notices } = await begin();
    for (let run = 0; run < runs; run += 1) {
      const chatId = await awaiting(t, [user(t.operatorA.userId, 1_000), user(t.operatorB.userId, 60_000)]);
      await race(() => t.portal.operatorAnswers(chatId, t.operatorA.userId), deadline(t, clock, 1_000));
      await settleAgreed(t, chatId, run);
      expect(countOf(notices, chatId, 'operator.answered'), `run ${run}`).toBeLessThanOrEqual(1);
      expect(countOf(notices, chatId, 'handoff.failed'), `run ${run}`).toBe(0);
    }
  }, 120_000);

  it('a skip against the deadline', async () => {
    const { t, clock, notices } = await begin();
    for (let run = 0; run < runs; run += 1) {
      const chatId = await awaiting(t, [
        user(t.operatorA.userId, 1_000),
        { target: { kind: 'queue', queueId: t.line.lineId }, leave: false, confirmationTimeoutMs: 60_000 },
      ]);
      await race(() => t.portal.operatorSkips(chatId, t.operatorA.userId), deadline(t, clock, 1_000));
      const settled = await settleAgreed(t, chatId, run);
      // Nobody answered: the skip notice is no answer, and the bot is still there.
      expect(settled.baton, `run ${run}`).toMatchObject({ state: 'awaitingOperator', botPresent: true });
      expect(countOf(notices, chatId, 'operator.answered'), `run ${run}`).toBe(0);
    }
  }, 120_000);

  it('a late answer against the last deadline (after handoff.failed)', async () => {
    const { t, clock, notices } = await begin();
    for (let run = 0; run < runs; run += 1) {
      const chatId = await awaiting(t, [user(t.operatorA.userId, 1_000)]);
      await race(() => t.portal.operatorAnswers(chatId, t.operatorA.userId), deadline(t, clock, 1_000));
      const settled = await settleAgreed(t, chatId, run);
      // The operator answered on the platform in every order: Baton ends with them, the bot gone.
      expect(settled.baton, `run ${run}`).toEqual({
        state: 'operator',
        operatorId: t.operatorA.userId,
        botPresent: false,
      });
      expect(countOf(notices, chatId, 'operator.answered'), `run ${run}`).toBe(1);
    }
  }, 120_000);

  it('a LEAVE=Y transfer whose answer is lost, against the operator answering', async () => {
    const { t, notices } = await begin();
    for (let run = 0; run < runs; run += 1) {
      const { chatId } = t.newChat();
      await t.portal.clientWrites(chatId, 'Can I talk to a person?');
      const transfersBefore = t.emulator.requests.filter(
        (r) => r.method === 'imopenlines.bot.session.transfer',
      ).length;
      t.emulator.faults.add({
        method: 'imopenlines.bot.session.transfer',
        kind: 'reset',
        when: 'after',
        times: 1,
      });
      await t.requestTransfer(chatId, { plan: [user(t.operatorA.userId, 60_000, true)] });
      await race(
        () => t.engine.drain(),
        () => t.portal.operatorAnswers(chatId, t.operatorA.userId),
      );
      const settled = await settleAgreed(t, chatId, run);
      expect(settled.baton, `run ${run}`).toEqual({
        state: 'operator',
        operatorId: t.operatorA.userId,
        botPresent: false,
      });
      const transferCalls = t.emulator.requests.filter(
        (r) => r.method === 'imopenlines.bot.session.transfer',
      );
      expect(transferCalls.length - transfersBefore, `run ${run}: transfer calls`).toBe(1);
      expect(t.portal.chat(chatId).transfers, `run ${run}`).toHaveLength(1);
      expect(countOf(notices, chatId, 'handoff.failed'), `run ${run}`).toBe(0);
    }
  }, 120_000);

  it("a client's 0 against the operator's answer", async () => {
    const { t, notices } = await begin();
    for (let run = 0; run < runs; run += 1) {
      const chatId = await awaiting(t, [user(t.operatorA.userId, 60_000)]);
      await race(
        () => t.portal.clientWrites(chatId, '0'),
        () => t.portal.operatorAnswers(chatId, t.operatorA.userId),
      );
      const settled = await settleAgreed(t, chatId, run);
      expect(settled.baton, `run ${run}`).toEqual({
        state: 'operator',
        operatorId: t.operatorA.userId,
        botPresent: false,
      });
      expect(countOf(notices, chatId, 'operator.answered'), `run ${run}`).toBe(1);
    }
  }, 120_000);
});
