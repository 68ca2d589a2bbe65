/**
 * Routing against the portal emulator (real HTTP on 127.0.0.1, memory store): a keyword sends a
 * chat to the billing queue, sales questions rotate over the sales team, anything else goes to
 * the least busy operator, and a chat nobody answers ends in the general queue. Exits 0 when
 * every chat went where the routing says.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine } from '@baton/core';
import { createEmulator } from '@baton/testkit';
import { createBitrixTransport, createNodeEventHandler } from '@baton/transport-http';
import { createSupportRouter } from './router.js';

const emulator = await createEmulator();
const portal = emulator.createPortal();
const [anna, boris, carla] = ['Anna', 'Boris', 'Carla'].map(
  (name) => portal.createOperator({ name }).userId,
) as [number, number, number];
const dmitry = portal.createOperator({ name: 'Dmitry (billing)' }).userId;
const general = portal.createLine({ name: 'General', queue: [anna, boris, carla] }).lineId;
const billing = portal.createLine({ name: 'Billing', queue: [dmitry] }).lineId;
const botId = 100_000 + Math.floor(Math.random() * 900_000);

const transport = createBitrixTransport({
  portals: {
    [portal.memberId]: {
      auth: { type: 'webhook', url: portal.createWebhook().baseUrl },
      bot: { id: botId, clientId: 'routing-bot' },
    },
  },
});
const engine = createEngine({
  transport,
  router: createSupportRouter({
    sales: [anna, boris, carla],
    billingQueueId: billing,
    generalQueueId: general,
  }),
  // The steps' LEAVE and deadline, as the strategies above give none: short, for the example.
  defaults: { leave: false, confirmationTimeoutMs: 3_000 },
  worker: { pollIntervalMs: 20 },
});
engine.on('error', (error, context) => console.error(`engine error (${context.stage})`, error));
engine.on('transfer.requested', ({ key, target }) =>
  console.log(
    `chat ${key.chatId}: transfer to ${'userId' in target ? `user ${target.userId}` : `queue ${target.queueId}`}`,
  ),
);
engine.start();

// The bot: every client message it gets asks for a hand-over, routed by what the client wrote.
const handler = createNodeEventHandler({
  applicationTokens: { [portal.memberId]: portal.applicationToken },
  accept: async (event) => {
    const { route } = await engine.dispatch(event);
    if (event.type === 'message' && route === 'bot') {
      const reason = event.text ?? '';
      await engine.dispatch({
        type: 'transfer.request',
        id: `handover-${event.id}`,
        portal: event.portal,
        chatId: event.chatId,
        reason,
      });
    }
  },
});
const server = createServer(handler);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
portal.registerBot({
  botId,
  clientId: 'routing-bot',
  eventHandlerUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
});

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
async function clientAsks(text: string): Promise<number> {
  const { chatId } = portal.createClientChat({ lineId: general, botId, clientName: 'Client' });
  await portal.clientWrites(chatId, text);
  return chatId;
}
const name = new Map([
  [anna, 'Anna'],
  [boris, 'Boris'],
  [carla, 'Carla'],
  [dmitry, 'Dmitry'],
]);

try {
  // 1. A keyword to a queue.
  const refund = await clientAsks('I want a refund for invoice 20931');
  await until('the refund chat is in the billing queue', () => portal.chat(refund).lineId === billing);
  console.log(
    `✓ keyword → billing queue: chat ${refund} waits for ${name.get(portal.chat(refund).waitingOperatorId ?? 0)}`,
  );

  // 2. Round-robin: consecutive sales chats start at the next operator in turn.
  const first = await clientAsks('What is the price of the annual plan?');
  const second = await clientAsks('I would like to buy two licences');
  await until('both sales chats are offered', () =>
    [first, second].every((chatId) => portal.chat(chatId).waitingOperatorId !== null),
  );
  const offered = [first, second].map((chatId) => portal.chat(chatId).waitingOperatorId);
  if (offered[0] !== anna || offered[1] !== boris)
    throw new Error(`round-robin offered ${offered.join(', ')}`);
  console.log(`✓ round-robin: chat ${first} → Anna, chat ${second} → Boris`);
  await portal.operatorAnswers(first, anna);
  await portal.operatorAnswers(second, boris);
  await until("both sales chats are the operators'", () =>
    [first, second].every((chatId) => !portal.chat(chatId).botPresent),
  );

  // 3. Least busy: Anna and Boris hold a chat each, Carla none.
  const other = await clientAsks('Hello, I have a question about my account');
  await until('the chat is offered to Carla', () => portal.chat(other).waitingOperatorId === carla);
  console.log(`✓ least-busy: chat ${other} → Carla (Anna and Boris hold a chat each)`);

  // 4. Fallback queue: Carla does not answer within the deadline.
  await until('the unanswered chat is in the general queue', () =>
    portal
      .chat(other)
      .transfers.some((transfer) => 'queueId' in transfer.to && transfer.to.queueId === general),
  );
  console.log(`✓ fallback: nobody answered chat ${other} in time; it went to the general queue`);
  console.log('\nEvery chat went where the routing says.');
} finally {
  server.close();
  await engine.stop();
  await transport.close();
  await emulator.close();
}
