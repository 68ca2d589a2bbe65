import type { ChatState, Engine, PlanStep, RateLimit } from '@baton/core';
import type { DemoPortal } from './demo-portal.js';
import type { createTimeline } from './timeline.js';

const BURST_CHATS = 40;

/** What the scenarios drive and where they print. */
export interface ScenarioContext {
  readonly demo: DemoPortal;
  readonly engine: Engine;
  readonly timeline: ReturnType<typeof createTimeline>;
  readonly limit: RateLimit;
  /** Names a chat for the timeline and gives the bot its hand-over plan. */
  prepare(chatId: number, label: string, plan: PlanStep[]): void;
  /** Silences the per-chat timeline (for the burst). */
  setQuiet(quiet: boolean): void;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The five scenarios of the demo, one after another. Throws if any of them goes wrong. */
export async function runScenarios(context: ScenarioContext): Promise<void> {
  const { demo, engine, timeline } = context;
  const { portal } = demo;
  const { anna, boris } = demo.operators;
  const toUser = (userId: number, leave: boolean, confirmationTimeoutMs = 30_000): PlanStep => ({
    target: { kind: 'user', userId },
    leave,
    confirmationTimeoutMs,
  });
  const toQueue = (leave: boolean): PlanStep => ({
    target: { kind: 'queue', queueId: demo.lineId },
    leave,
    confirmationTimeoutMs: 30_000,
  });

  const read = (chatId: number) => engine.getChat({ portal: portal.memberId, chatId });
  /** Waits until the chat is in `state` (and, with `botGone`, the bot has left it). */
  async function until(chatId: number, state: ChatState, { botGone = false, timeoutMs = 10_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const chat = await read(chatId);
      if (chat?.state === state && (!botGone || !chat.context.botPresent)) return;
      if (Date.now() > deadline) throw new Error(`chat ${chatId} did not reach ${state}`);
      await pause(10);
    }
  }
  function newChat(label: string, plan: PlanStep[]): number {
    const { chatId } = portal.createClientChat({ lineId: demo.lineId, botId: demo.access.botId });
    context.prepare(chatId, label, plan);
    return chatId;
  }
  const showPortal = (chatId: number) => {
    const chat = portal.chat(chatId);
    timeline.line(
      chatId,
      `  portal: bot ${chat.botPresent ? 'IN' : 'NOT in'} chat, owner ${chat.ownerId || 'none'}`,
    );
  };

  timeline.heading('1. LEAVE=N to Anna: the bot stays until she answers, then Baton removes it');
  const c1 = newChat('leave=N', [toUser(anna, false)]);
  await portal.clientWrites(c1, 'Hello! I need a human, please');
  await until(c1, 'awaitingOperator');
  const announced = portal.messages(c1).find((message) => message.authorId === demo.access.botId);
  if (announced) timeline.line(c1, `  bot said "${announced.text}" before the transfer`);
  showPortal(c1);
  await portal.clientWrites(c1, 'Are you still there?');
  await portal.operatorWrites(c1, anna, 'Hi, Anna here. How can I help?');
  await until(c1, 'operator', { botGone: true });
  showPortal(c1);

  timeline.heading('2. A queue transfer: the platform ignores LEAVE for queues; whoever answers gets it');
  const c2 = newChat('queue', [toQueue(true)]);
  await portal.clientWrites(c2, 'Can a person look at my order?');
  await until(c2, 'awaitingOperator');
  showPortal(c2);
  await portal.operatorWrites(
    c2,
    portal.chat(c2).waitingOperatorId ?? anna,
    'Support here, looking at it now',
  );
  await until(c2, 'operator', { botGone: true });
  showPortal(c2);

  timeline.heading('3. Boris does not answer within 1.5 s: the plan falls back to the queue');
  const c3 = newChat('fallback', [toUser(boris, false, 1_500), toQueue(false)]);
  await portal.clientWrites(c3, 'I would like to talk to an operator');
  await until(c3, 'awaitingOperator');
  // Nobody answers: the durable deadline fires and the plan's next step (the queue) is tried.
  while ((await read(c3))?.context.step !== 1) await pause(20);
  await until(c3, 'awaitingOperator');
  await portal.operatorWrites(
    c3,
    portal.chat(c3).waitingOperatorId ?? anna,
    'Picking this up from the queue',
  );
  await until(c3, 'operator', { botGone: true });
  showPortal(c3);

  timeline.heading('4. LEAVE=Y to Anna: the platform removes the bot at once, no removal call');
  const c4 = newChat('leave=Y', [toUser(anna, true)]);
  await portal.clientWrites(c4, 'Operator please');
  await until(c4, 'operator');
  showPortal(c4);

  await burst(
    context,
    () => portal.createClientChat({ lineId: demo.lineId, botId: demo.access.botId }).chatId,
    until,
  );
}

async function burst(
  context: ScenarioContext,
  createChat: () => number,
  until: (chatId: number, state: ChatState, options: { timeoutMs: number }) => Promise<void>,
): Promise<void> {
  const { demo, engine, timeline, limit } = context;
  timeline.heading(
    `5. A burst: ${BURST_CHATS} chats hand over at once; portal limit ${limit.ratePerSecond}/s, burst ${limit.burst}`,
  );
  context.setQuiet(true);
  demo.emulator.resetRequests();
  const started = performance.now();
  const chats = Array.from({ length: BURST_CHATS }, createChat);
  await Promise.all(
    chats.map((chatId) =>
      engine.dispatch({
        type: 'transfer.request',
        id: `burst-${chatId}`,
        portal: demo.portal.memberId,
        chatId,
        plan: [
          {
            target: { kind: 'user', userId: demo.operators.anna },
            leave: true,
            confirmationTimeoutMs: 30_000,
          },
        ],
      }),
    ),
  );
  for (const chatId of chats) await until(chatId, 'operator', { timeoutMs: 60_000 });
  context.setQuiet(false);
  const seconds = (performance.now() - started) / 1000;
  const refused = demo.emulator.requests.filter((r) => r.error === 'QUERY_LIMIT_EXCEEDED').length;
  const minimum = Math.max(0, (BURST_CHATS - limit.burst) / limit.ratePerSecond);
  timeline.line(
    null,
    `${BURST_CHATS} transfers in ${seconds.toFixed(2)} s (the bucket allows no less than ${minimum.toFixed(2)} s)`,
  );
  timeline.line(
    null,
    `${demo.emulator.requests.length} requests reached the portal, ${refused} answered QUERY_LIMIT_EXCEEDED`,
  );
  if (refused > 0) throw new Error('the rate limit was exceeded');
}
