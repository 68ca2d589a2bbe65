/**
 * Scenario 5: durable timers. 1,000 chats await an operator (LEAVE=N, a confirmation deadline of
 * a few seconds, then a second step); the worker that made the transfers and scheduled every
 * deadline is killed (kill -9) before any is due. Each deadline fires exactly once, on the other
 * workers, and moves its chat's plan to the next step exactly once; a deadline cancelled by an
 * operator's answer before it was due never fires. Prints the lateness (fire time minus due time).
 */
import type { RedisStore } from '@baton/store-redis';
import { afterEach, expect, test } from 'vitest';
import { openStage, type Stage, sendAll } from './harness/scenario.js';
import { dispatchTo, type WorkerHandle } from './harness/workers.js';
import { addChats, openInspector, percentile, redisFor, report, waitFor } from './harness/world.js';

const chatCount = 1_000;
const answered = 100;
// Far above the time one worker takes to make 1,000 transfers on a loaded 2-core machine (6 to 16 s),
// plus the start of two more workers and 100 answers (up to 10 s there).
const deadlineMs = 30_000;
/**
 * The test's own bound. The waits below end early enough for the figures to be printed even when a
 * phase is slow (a loaded CI machine), so that a failure says where the time went.
 */
const testTimeoutMs = 180_000;

let stage: Stage | undefined;
let inspector: { store: RedisStore; close(): Promise<void> } | undefined;
afterEach(async () => {
  await inspector?.close();
  await stage?.close();
  stage = undefined;
  inspector = undefined;
});

async function dispatchOrThrow(worker: WorkerHandle, event: unknown): Promise<void> {
  const answer = await dispatchTo(worker.port, event);
  if (answer.status !== 200)
    throw new Error(`${worker.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

const redis = redisFor('standalone');

test.skipIf(redis === undefined)(
  `${chatCount} deadlines scheduled by a worker killed before they are due: each fires once elsewhere, a cancelled one never`,
  { timeout: testTimeoutMs },
  async () => {
    const testStart = Date.now();
    const phases: Record<string, number> = {};
    const phaseDone = (name: string) => {
      phases[name] = Date.now() - testStart;
    };
    /** What is left of `wantedMs` before the point where the report must still fit in. */
    const budget = (wantedMs: number) =>
      Math.max(1_000, Math.min(wantedMs, testStart + testTimeoutMs - 25_000 - Date.now()));
    const settings = redis as NonNullable<typeof redis>;
    stage = await openStage({
      redis: settings,
      portals: 1,
      limit: false,
      worker: { pollIntervalMs: 50, batchSize: 64 },
    });
    const { emulator, fleet } = stage;
    const portal = stage.portals[0] as (typeof stage.portals)[0];
    const handle = emulator.portal(portal.memberId);
    if (!handle) throw new Error('no portal');
    const second = handle.createOperator({ name: 'Second operator' }).userId;
    const chats = addChats(emulator, portal, chatCount);
    inspector = openInspector(settings, stage.prefix);
    const { store } = inspector;

    // One worker makes every transfer and schedules every deadline.
    const [scheduler] = (await stage.startWorkers(1)) as [WorkerHandle];
    const startedAt = Date.now();
    await sendAll(chats, 32, (chatId) =>
      dispatchOrThrow(scheduler, {
        type: 'transfer.request',
        id: `handover-${chatId}`,
        portal: portal.memberId,
        chatId,
        plan: [
          {
            target: { kind: 'user', userId: portal.operatorId },
            leave: false,
            confirmationTimeoutMs: deadlineMs,
          },
          { target: { kind: 'user', userId: second }, leave: false, confirmationTimeoutMs: 600_000 },
        ],
      }),
    );
    phaseDone('transfersRequested');
    const allAwaiting = await waitFor(async () => {
      const backlog = await store.backlog();
      return backlog.effects === 0 && backlog.timers === chatCount;
    }, 30_000);
    phaseDone('allAwaiting');
    if (!allAwaiting) report('durable timers (not all awaiting)', { phases, backlog: await store.backlog() });
    expect(allAwaiting).toBe(true);
    const scheduledInMs = Date.now() - startedAt;
    await fleet.kill(scheduler);
    const killedAt = Date.now();

    const dueAt = new Map<number, { timerId: string; dueAt: number }>();
    await sendAll(chats, 16, async (chatId) => {
      const details = await store.readChat({ portal: portal.memberId, chatId });
      const timer = details?.timers[0];
      if (details?.summary.state === 'awaitingOperator' && details.timers.length === 1 && timer)
        dueAt.set(chatId, { timerId: timer.id, dueAt: timer.dueAt });
    });
    expect(dueAt.size).toBe(chatCount);
    const firstDue = Math.min(...[...dueAt.values()].map((t) => t.dueAt));

    // Two other workers; the first operator answers a subset before its deadline.
    const others = await stage.startWorkers(2);
    const answeredChats = chats.slice(0, answered);
    const answeredAt = new Map<number, number>();
    await sendAll(answeredChats, 16, async (chatId, i) => {
      await dispatchOrThrow(others[i % others.length] as WorkerHandle, {
        type: 'message',
        id: `operator-answer-${chatId}`,
        portal: portal.memberId,
        chatId,
        author: { userId: portal.operatorId, kind: 'operator' },
        text: 'Hello, I am here',
      });
      answeredAt.set(chatId, Date.now());
    });
    const answeredBeforeDeadline = answeredChats.every(
      (id) => (answeredAt.get(id) as number) < (dueAt.get(id)?.dueAt as number),
    );

    phaseDone('answered');
    const unanswered = chats.slice(answered);
    const settled = await waitFor(async () => {
      const backlog = await store.backlog();
      if (backlog.effects !== 0 || backlog.dueTimers !== 0) return false;
      return unanswered.every((id) => handle.chat(id).transfers.length >= 2);
    }, budget(60_000));
    phaseDone('settled');
    const lastDue = Math.max(...[...dueAt.values()].map((t) => t.dueAt));
    // Time for a second firing of any deadline, were there one.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(budget(10_000), Math.max(1_500, lastDue + 1_500 - Date.now()))),
    );

    const firings = fleet.timerFirings.filter((f) => f.portal === portal.memberId);
    const firedPerChat = new Map<number, number>();
    for (const f of firings) firedPerChat.set(f.chatId, (firedPerChat.get(f.chatId) ?? 0) + 1);
    const lateness = firings
      .filter((f) => dueAt.get(f.chatId)?.timerId === f.timerId)
      .map((f) => f.at - (dueAt.get(f.chatId)?.dueAt as number));
    const states = new Map<string, number>();
    let wrongTransfers = 0;
    for (const id of chats) {
      const details = await store.readChat({ portal: portal.memberId, chatId: id });
      const state = details?.summary.state ?? 'missing';
      states.set(state, (states.get(state) ?? 0) + 1);
      const transfers = handle.chat(id).transfers.map((t) => ('userId' in t.to ? t.to.userId : -1));
      const expected = answeredAt.has(id) ? [portal.operatorId] : [portal.operatorId, second];
      if (JSON.stringify(transfers) !== JSON.stringify(expected)) wrongTransfers += 1;
    }
    report('durable timers', {
      chats: chatCount,
      phasesMs: phases,
      unansweredWithoutSecondTransfer: unanswered.filter((id) => handle.chat(id).transfers.length < 2).length,
      scheduledInMs,
      firstDueAfterKillMs: firstDue - killedAt,
      answeredBeforeDeadline: answered,
      firings: firings.length,
      firedBy: [...new Set(firings.map((f) => f.by))],
      chatsFiredTwice: [...firedPerChat.values()].filter((n) => n > 1).length,
      answeredChatsFired: answeredChats.filter((id) => firedPerChat.has(id)).length,
      latenessMs: {
        p50: percentile(lateness, 50),
        p99: percentile(lateness, 99),
        max: Math.max(...lateness),
      },
      states: Object.fromEntries(states),
      wrongTransfers,
      backlog: await store.backlog(),
    });
    expect(firstDue).toBeGreaterThan(killedAt);
    expect(answeredBeforeDeadline).toBe(true);
    expect(settled).toBe(true);
    // Each deadline fired exactly once, none on the killed worker, none of the cancelled ones.
    expect(firings.length).toBe(chatCount - answered);
    expect(firings.every((f) => f.by !== scheduler.name)).toBe(true);
    expect(unanswered.every((id) => firedPerChat.get(id) === 1)).toBe(true);
    expect(answeredChats.some((id) => firedPerChat.has(id))).toBe(false);
    expect(lateness.length).toBe(chatCount - answered);
    // Workers poll every 50 ms: a due deadline fires within seconds even as 900 fall due together.
    expect(percentile(lateness, 99)).toBeLessThan(3_000);
    // The plan moved to its next step exactly once per fired deadline.
    expect(wrongTransfers).toBe(0);
    expect(states.get('operator')).toBe(answered);
    expect(states.get('awaitingOperator')).toBe(chatCount - answered);
  },
);
