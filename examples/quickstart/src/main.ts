/**
 * Baton's quickstart: a bot on an emulated Bitrix24 portal (real HTTP on 127.0.0.1) hands chats
 * to human operators through the engine, with the in-memory store. Run with `pnpm demo`.
 *
 * It shows a LEAVE=N hand-over (the bot stays until the operator answers, then Baton removes it),
 * a queue transfer, a deadline with fallback, LEAVE=Y, and a rate-limited burst.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BatonEventInput,
  type ChatState,
  createEngine,
  createMemoryRateLimiter,
  type PlanStep,
  withHeadroom,
} from '@baton/core';
import { createEmulator } from '@baton/testkit';
import { createBitrixTransport, createNodeEventHandler } from '@baton/transport-http';
import { createTimeline } from './timeline.js';

const BURST_CHATS = 40;
const portalLimit = { ratePerSecond: 5, burst: 20 };

const emulator = await createEmulator({ rateLimit: portalLimit });
const portal = emulator.createPortal({ memberId: 'demo-portal' });
const anna = portal.createOperator({ name: 'Anna' }).userId;
const boris = portal.createOperator({ name: 'Boris' }).userId;
const line = portal.createLine({ name: 'Support', queue: [anna, boris] }).lineId;
const webhook = portal.createWebhook();

// The bot's event handler: Bitrix24 (here, the emulator) POSTs events to it.
let dispatchEvent: (event: BatonEventInput) => Promise<unknown> = async () => undefined;
const inbound = createNodeEventHandler({
  applicationTokens: { [portal.memberId]: portal.applicationToken },
  accept: (event) => dispatchEvent(event),
});
const server = createServer((request, response) => void inbound(request, response));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const handlerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bitrix/events`;
const bot = portal.registerBot({ code: 'helper_bot', eventHandlerUrl: handlerUrl });

const transport = createBitrixTransport({
  // One limiter per deployment, set to the portal's plan with a reserve (share a Redis one across workers).
  rateLimiter: createMemoryRateLimiter({ limit: withHeadroom(portalLimit) }),
  portals: {
    [portal.memberId]: {
      auth: { type: 'webhook', url: webhook.baseUrl },
      bot: { id: bot.botId, clientId: bot.clientId },
    },
  },
});
const engine = createEngine({ transport, worker: { pollIntervalMs: 20 } });

const labels = new Map<number, string>();
const timeline = createTimeline((chatId) => labels.get(chatId) ?? `chat #${chatId}`);
let quiet = false;
timeline.follow(engine, () => quiet);

// What the bot does with a client message the engine routes to it.
const handovers = new Map<number, PlanStep[]>();
dispatchEvent = async (event) => {
  const result = await engine.dispatch(event);
  if (event.type === 'message' && result.route === 'bot' && !quiet) {
    timeline.line(event.chatId, `  bot reads "${event.text ?? ''}"`);
    const plan = handovers.get(event.chatId);
    if (plan && /human|operator|person/i.test(event.text ?? '')) {
      handovers.delete(event.chatId);
      await engine.dispatch({
        type: 'transfer.request',
        id: `handover-${event.chatId}`,
        portal: event.portal,
        chatId: event.chatId,
        plan,
      });
    }
  }
  return result;
};
engine.start();

/** Waits until the chat is in `state` (and, with `botGone`, the bot has left it). */
async function until(
  chatId: number,
  state: ChatState,
  { botGone = false, timeoutMs = 10_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const chat = await engine.getChat({ portal: portal.memberId, chatId });
    if (chat?.state === state && (!botGone || !chat.context.botPresent)) return;
    if (Date.now() > deadline) throw new Error(`chat ${chatId} did not reach ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function newChat(label: string, plan: PlanStep[]): number {
  const { chatId } = portal.createClientChat({ lineId: line, botId: bot.botId });
  labels.set(chatId, `${label} #${chatId}`);
  handovers.set(chatId, plan);
  return chatId;
}

const bitrixSays = (chatId: number) => {
  const chat = portal.chat(chatId);
  return `portal: bot ${chat.botPresent ? 'IN' : 'NOT in'} chat, owner ${chat.ownerId || 'none'}`;
};

try {
  timeline.heading('1. LEAVE=N to Anna: the bot stays until she answers, then Baton removes it');
  const c1 = newChat('leave=N', [
    { target: { kind: 'user', userId: anna }, leave: false, confirmationTimeoutMs: 30_000 },
  ]);
  await portal.clientWrites(c1, 'Hello! I need a human, please');
  await until(c1, 'awaitingOperator');
  timeline.line(c1, `  ${bitrixSays(c1)}`);
  await portal.clientWrites(c1, 'Are you still there?');
  await portal.operatorWrites(c1, anna, 'Hi, Anna here. How can I help?');
  await until(c1, 'operator', { botGone: true });
  timeline.line(c1, `  ${bitrixSays(c1)}`);

  timeline.heading('2. A queue transfer: the platform ignores LEAVE for queues; whoever answers gets it');
  const c2 = newChat('queue', [
    { target: { kind: 'queue', queueId: line }, leave: true, confirmationTimeoutMs: 30_000 },
  ]);
  await portal.clientWrites(c2, 'Can a person look at my order?');
  await until(c2, 'awaitingOperator');
  timeline.line(c2, `  ${bitrixSays(c2)}`);
  const offeredTo = portal.chat(c2).waitingOperatorId ?? anna;
  await portal.operatorWrites(c2, offeredTo, 'Support here, looking at your order now');
  await until(c2, 'operator', { botGone: true });
  timeline.line(c2, `  ${bitrixSays(c2)}`);

  timeline.heading('3. Boris does not answer within 1.5 s: the plan falls back to the queue');
  const c3 = newChat('fallback', [
    { target: { kind: 'user', userId: boris }, leave: false, confirmationTimeoutMs: 1_500 },
    { target: { kind: 'queue', queueId: line }, leave: false, confirmationTimeoutMs: 30_000 },
  ]);
  await portal.clientWrites(c3, 'I would like to talk to an operator');
  await until(c3, 'awaitingOperator');
  // Nobody answers: after 1.5 s the deadline fires and the plan's next step (the queue) is tried.
  const queueStep = async () =>
    (await engine.getChat({ portal: portal.memberId, chatId: c3 }))?.context.step === 1;
  while (!(await queueStep())) await new Promise((resolve) => setTimeout(resolve, 20));
  await until(c3, 'awaitingOperator');
  const pickedBy = portal.chat(c3).waitingOperatorId ?? anna;
  await portal.operatorWrites(c3, pickedBy, 'Picking this up from the queue');
  await until(c3, 'operator', { botGone: true });
  timeline.line(c3, `  ${bitrixSays(c3)}`);

  timeline.heading('4. LEAVE=Y to Anna: the platform removes the bot at once, no removal call');
  const c4 = newChat('leave=Y', [
    { target: { kind: 'user', userId: anna }, leave: true, confirmationTimeoutMs: 30_000 },
  ]);
  await portal.clientWrites(c4, 'Operator please');
  await until(c4, 'operator');
  timeline.line(c4, `  ${bitrixSays(c4)}`);

  timeline.heading(
    `5. A burst: ${BURST_CHATS} chats hand over at once; portal limit ${portalLimit.ratePerSecond}/s, burst ${portalLimit.burst}`,
  );
  quiet = true;
  emulator.resetRequests();
  const burstStarted = performance.now();
  const burst = Array.from(
    { length: BURST_CHATS },
    () => portal.createClientChat({ lineId: line, botId: bot.botId }).chatId,
  );
  await Promise.all(
    burst.map((chatId) =>
      engine.dispatch({
        type: 'transfer.request',
        id: `burst-${chatId}`,
        portal: portal.memberId,
        chatId,
        plan: [{ target: { kind: 'user', userId: anna }, leave: true, confirmationTimeoutMs: 30_000 }],
      }),
    ),
  );
  for (const chatId of burst) await until(chatId, 'operator', { timeoutMs: 30_000 });
  const seconds = (performance.now() - burstStarted) / 1000;
  const refused = emulator.requests.filter((r) => r.error === 'QUERY_LIMIT_EXCEEDED').length;
  const minimum = Math.max(0, (BURST_CHATS - portalLimit.burst) / portalLimit.ratePerSecond);
  timeline.line(
    null,
    `${BURST_CHATS} transfers in ${seconds.toFixed(2)} s (the bucket allows no less than ${minimum.toFixed(2)} s)`,
  );
  timeline.line(
    null,
    `${emulator.requests.length} requests reached the portal, ${refused} answered QUERY_LIMIT_EXCEEDED`,
  );
  if (refused > 0) throw new Error('the rate limit was exceeded');
  console.log('\nAll hand-overs completed.');
} finally {
  await engine.stop();
  await transport.close();
  server.close();
  await emulator.close();
}
