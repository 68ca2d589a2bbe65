// Redis round trips per client message, counted from outside: MONITOR lists every command each
// connection sends (a script's own commands show up as `lua` and are not round trips).
// Run: pnpm --filter @baton/store-redis bench   (uses REDIS_URL, or starts a throwaway
// redis-server). Each chat gets a first message, then `BENCH_MESSAGES` client messages while
// the bot holds it; the figure is the round trips of those messages divided by their number.
import { type BatonEventInput, createEngine, type Engine } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { Redis } from 'ioredis';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { startRedis } from './redis-server.js';

// `BENCH_SCALE` (the smoke of `pnpm bench`) shrinks the default count.
const chats = Number(
  process.env.BENCH_CHATS ?? Math.max(4, Math.round(40 * Number(process.env.BENCH_SCALE ?? 1))),
);
const messagesPerChat = Number(process.env.BENCH_MESSAGES ?? 16);
const portal = 'b24-bench.bitrix24.ru';

interface Worker {
  readonly engine: Engine;
  readonly store: RedisStore;
  readonly client: Redis;
  readonly address: string;
}

let eventSeq = 0;
const clientSays = (chatId: number): BatonEventInput => ({
  type: 'message',
  id: `im-${++eventSeq}`,
  portal,
  chatId,
  author: { userId: 5_120_377, kind: 'client' },
  text: `Подскажите статус заказа ${5_530_000 + eventSeq}`,
});

async function openWorker(url: string, prefix: string, chatCacheSize?: number): Promise<Worker> {
  const client = new Redis(url);
  const store = createRedisStore({ redis: client, prefix });
  const engine = createEngine({
    transport: createFakeTransport(),
    store,
    ...(chatCacheSize === undefined ? {} : { worker: { chatCacheSize } }),
  });
  const info = String(await client.client('INFO'));
  const address = /\baddr=(\S+)/.exec(info)?.[1] ?? '';
  return { engine, store, client, address };
}

/**
 * Round trips per message of the workers: every chat is opened by its first message, then
 * `messagesPerChat` more are dispatched, each by the next worker in turn (so with two workers
 * every message follows the other worker's commit: a conflict each time).
 */
async function measure(url: string, label: string, cacheSizes: (number | undefined)[]) {
  const prefix = `bench-rt-${Date.now()}-${label.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const workers = await Promise.all(cacheSizes.map((size) => openWorker(url, prefix, size)));
  const monitorClient = new Redis(url);
  const monitor = await monitorClient.monitor();
  const sources = new Set(workers.map((worker) => worker.address));
  let counting = false;
  let roundTrips = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (!sources.has(source)) return;
    if (String(args[0]).toLowerCase() === 'echo') counting = String(args[1]) === 'count-on';
    else if (counting) roundTrips += 1;
  });
  const first = workers[0] as Worker;
  const chatIds = Array.from({ length: chats }, (_, index) => 7_700_000 + index);
  await Promise.all(chatIds.map((chatId) => first.engine.dispatch(clientSays(chatId))));
  await first.client.echo('count-on');
  await Promise.all(
    chatIds.map(async (chatId) => {
      for (let index = 0; index < messagesPerChat; index += 1) {
        await (workers[index % workers.length] as Worker).engine.dispatch(clientSays(chatId));
      }
    }),
  );
  await first.client.echo('count-off');
  // MONITOR's stream arrives asynchronously: wait for the closing mark.
  while (counting) await new Promise((resolve) => setTimeout(resolve, 10));
  const messages = chats * messagesPerChat;
  console.log(`${label.padEnd(44)} ${(roundTrips / messages).toFixed(2).padStart(5)} round trips/message`);
  monitor.disconnect();
  monitorClient.disconnect();
  await Promise.all(workers.map((worker) => worker.engine.stop()));
  await Promise.all(workers.map((worker) => worker.store.close()));
  const keys = await first.client.keys(`${prefix}:*`);
  if (keys.length > 0) await first.client.del(...keys);
  for (const worker of workers) worker.client.disconnect();
}

const { url, server } = await startRedis();
try {
  console.log(
    `Redis round trips per client message (common path): ${chats} chats the bot holds, ${messagesPerChat} messages each\n` +
      '(counted with MONITOR, which slows Redis down: throughput is measured by commit.bench.ts, not here)\n',
  );
  await measure(url, 'one worker, chat cache (default)', [undefined]);
  await measure(url, 'one worker, chatCacheSize 0 (load first)', [0]);
  await measure(url, 'two workers taking turns (a conflict each)', [undefined, undefined]);
} finally {
  server?.kill();
}
