// Commit throughput of the Redis store, with the memory store as the in-run baseline.
// Run: pnpm --filter @baton/store-redis bench   (uses REDIS_URL, or starts a throwaway
// redis-server on a free loopback port). Prints commits/s for one hot chat (every worker
// contends on one version) and for many chats (no contention), and the ratio to memory.
import { type ChatKey, createMemoryStore, type Store } from '@baton/core';
import { Redis } from 'ioredis';
import { createRedisStore } from '../src/index.js';
import { startRedis } from './redis-server.js';

const workers = 8;
// `BENCH_SCALE` (the smoke of `pnpm bench`) shrinks the default count.
const commitsPerWorker = Number(
  process.env.BENCH_COMMITS ?? Math.max(20, Math.round(250 * Number(process.env.BENCH_SCALE ?? 1))),
);

interface Figures {
  readonly commits: number;
  readonly conflicts: number;
  readonly seconds: number;
}

/** Each worker commits `commitsPerWorker` events, reloading and retrying on conflict. */
async function run(store: Store, chatFor: (worker: number) => ChatKey, label: string): Promise<Figures> {
  let conflicts = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      const key = chatFor(worker);
      for (let index = 0; index < commitsPerWorker; index += 1) {
        for (;;) {
          const chat = await store.load(key);
          const result = await store.commit({
            key,
            expectedVersion: chat?.version ?? 0,
            eventId: `${label}-${worker}-${index}`,
            snapshot: { value: 'bot', context: { step: index } },
            summary: { state: 'bot', stateSince: 0 },
            effects: index % 10 === 0 ? [{ id: `fx-${index}`, key, call: { kind: 'removeBot' } }] : [],
            timersToSet: [],
            timersToCancel: [],
          });
          if (result.status !== 'conflict') break;
          conflicts += 1;
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { commits: workers * commitsPerWorker, conflicts, seconds };
}

function report(name: string, figures: Figures, baseline?: Figures): void {
  const rate = figures.commits / figures.seconds;
  const ratio =
    baseline === undefined
      ? ''
      : `  (${((rate / (baseline.commits / baseline.seconds)) * 100).toFixed(1)}% of memory)`;
  console.log(
    `${name.padEnd(28)} ${rate.toFixed(0).padStart(8)} commits/s  ${String(figures.conflicts).padStart(6)} conflicts${ratio}`,
  );
}

const { url, server } = await startRedis();
const client = new Redis(url);
const prefix = `bench-${Date.now()}`;
try {
  const hot = () => ({ portal: 'bench', chatId: 1 });
  const many = (worker: number) => ({ portal: 'bench', chatId: 100 + worker });
  console.log(
    `${workers} concurrent workers, ${commitsPerWorker} commits each (load → commit → retry on conflict)\n`,
  );

  const memoryHot = await run(createMemoryStore(), hot, 'mem-hot');
  const memoryMany = await run(createMemoryStore(), many, 'mem-many');
  const redis = createRedisStore({ redis: client, prefix });
  const redisHot = await run(redis, hot, 'redis-hot');
  const redisMany = await run(redis, (worker) => ({ ...many(worker), chatId: 1_000 + worker }), 'redis-many');
  await redis.close();

  report('memory, one hot chat', memoryHot);
  report('memory, many chats', memoryMany);
  report('redis, one hot chat', redisHot, memoryHot);
  report('redis, many chats', redisMany, memoryMany);
} finally {
  const keys = await client.keys(`${prefix}:*`);
  if (keys.length > 0) await client.del(...keys);
  client.disconnect();
  server?.kill();
}
