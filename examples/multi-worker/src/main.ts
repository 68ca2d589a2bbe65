/**
 * N worker processes behind one HTTP entry, on Redis. The entry process receives the portal's
 * events and dispatches them (it runs no background work); the workers make the platform calls
 * and fire the timers. Everything they share lives in Redis: the chats, the outbox, the durable
 * timers, and the portal's rate limit.
 *
 * The run: eight clients ask for a person at once; worker-1 is killed with SIGKILL right away;
 * the first operator never answers, so each chat's deadline (a durable timer) moves it to the
 * queue; the queue's operators answer and the bot leaves every chat. It exits 0 when every chat
 * reached an operator, with no request refused by the portal's rate limit.
 *
 * Needs REDIS_URL: `node scripts/with-redis.mjs pnpm --filter @baton/example-multi-worker start`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulator } from '@baton/testkit';
import { createNodeEventHandler } from '@baton/transport-http';
import { Redis } from 'ioredis';
import { createDeploymentEngine, type DeploymentConfig } from './deployment.js';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  console.error(
    'Set REDIS_URL, or run: node scripts/with-redis.mjs pnpm --filter @baton/example-multi-worker start',
  );
  process.exit(1);
}
const workerCount = Number(process.env.WORKERS ?? 3);
const limit = { ratePerSecond: 5, burst: 10 };

const emulator = await createEmulator({ rateLimit: limit });
const portal = emulator.createPortal();
const first = portal.createOperator({ name: 'Anna (on a break)' }).userId;
const team = ['Boris', 'Carla'].map((name) => portal.createOperator({ name }).userId);
const line = portal.createLine({ name: 'Support', queue: team }).lineId;
const config: DeploymentConfig = {
  redisUrl,
  prefix: `baton-multi-worker-${process.pid}`,
  memberId: portal.memberId,
  webhookUrl: portal.createWebhook().baseUrl,
  botId: 100_000 + Math.floor(Math.random() * 900_000),
  botClientId: 'multi_worker_bot',
  limit,
};

// The HTTP entry: dispatch only. engine.start() is never called here.
const entry = createDeploymentEngine(config);
const server = createServer(
  createNodeEventHandler({
    applicationTokens: { [portal.memberId]: portal.applicationToken },
    accept: async (event) => {
      const { route } = await entry.engine.dispatch(event);
      if (event.type === 'message' && route === 'bot' && /operator/i.test(event.text ?? '')) {
        await entry.engine.dispatch({
          type: 'transfer.request',
          id: `handover-${event.id}`,
          portal: event.portal,
          chatId: event.chatId,
          plan: [
            { target: { kind: 'user', userId: first }, leave: false, confirmationTimeoutMs: 2_000 },
            { target: { kind: 'queue', queueId: line }, leave: false, confirmationTimeoutMs: 60_000 },
          ],
        });
      }
    },
  }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
portal.registerBot({
  botId: config.botId,
  clientId: config.botClientId,
  eventHandlerUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
});

const workers = new Map<string, ChildProcess>();
const callsBy = new Map<string, number>();
for (let index = 1; index <= workerCount; index += 1) {
  const name = `worker-${index}`;
  const child = fork(new URL('./worker.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, WORKER_NAME: name, DEPLOYMENT: JSON.stringify(config) },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  child.removeAllListeners('exit');
  child.on('message', (message: { worker: string; event: string; payload: { key?: { chatId: number } } }) => {
    callsBy.set(message.worker, (callsBy.get(message.worker) ?? 0) + 1);
    if (
      message.event === 'transfer.succeeded' ||
      message.event === 'bot.left' ||
      message.event === 'timer.fired'
    ) {
      console.log(`  ${message.worker}: ${message.event} (chat ${message.payload.key?.chatId})`);
    }
  });
  workers.set(name, child);
}
console.log(
  `${workerCount} workers on ${new URL(redisUrl).host}; portal limit ${limit.ratePerSecond}/s, burst ${limit.burst}`,
);

let failed = false;
try {
  const chats = Array.from(
    { length: 8 },
    () => portal.createClientChat({ lineId: line, botId: config.botId }).chatId,
  );
  await Promise.all(chats.map((chatId) => portal.clientWrites(chatId, 'operator, please')));
  workers.get('worker-1')?.kill('SIGKILL');
  console.log('8 hand-overs requested; worker-1 killed (SIGKILL)');

  // The first step's deadline passes in Redis, whichever worker is alive fires it.
  await until('every chat was moved to the queue', 30_000, () =>
    chats.every((chatId) => portal.chat(chatId).transfers.some((transfer) => 'queueId' in transfer.to)),
  );
  for (const chatId of chats) {
    const offered = portal.chat(chatId).waitingOperatorId;
    if (offered !== null) await portal.operatorAnswers(chatId, offered);
  }
  await until('the bot left every chat', 30_000, () =>
    chats.every((chatId) => !portal.chat(chatId).botPresent),
  );
  const states = await Promise.all(
    chats.map((chatId) => entry.engine.getChat({ portal: portal.memberId, chatId })),
  );
  if (!states.every((chat) => chat?.state === 'operator')) throw new Error('a chat is not with an operator');
  const refused = emulator.requests.filter((request) => request.error === 'QUERY_LIMIT_EXCEEDED').length;
  if (refused > 0) throw new Error(`${refused} requests were refused by the portal's rate limit`);
  console.log(
    `\nEvery chat is with an operator; ${emulator.requests.length} requests, none over the limit. Work done by: ${[
      ...callsBy,
    ]
      .map(([worker, count]) => `${worker} ${count}`)
      .join(', ')}.`,
  );
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await Promise.all(
    [...workers.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.send('stop');
        }),
    ),
  );
  server.close();
  await entry.close();
  await emulator.close();
  await removeKeys(redisUrl, config.prefix);
}
process.exit(failed ? 1 : 0);

async function until(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The example's keys are throw-away: remove them from the Redis it was given. */
async function removeKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
