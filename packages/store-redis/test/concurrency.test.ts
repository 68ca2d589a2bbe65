import type { ChatKey } from '@baton/core';
import { commitFor, timerFor } from '@baton/core/testing';
import { createRedisRateLimiter, createRedisStore, type RedisStore } from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { testClock } from './helpers/clock.js';
import { closeClient, deletePrefix, type RedisTarget, redisTargets, uniquePrefix } from './helpers/redis.js';

/** Each worker its own connection, as separate processes would have. */
function connectionOf(target: RedisTarget, client: Redis | Cluster) {
  return target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis };
}

async function withClients<T>(
  target: RedisTarget,
  count: number,
  work: (clients: (Redis | Cluster)[], prefix: string) => Promise<T>,
): Promise<T> {
  const clients = Array.from({ length: count }, () => target.connect());
  const prefix = uniquePrefix('c');
  try {
    return await work(clients, prefix);
  } finally {
    await deletePrefix(clients[clients.length - 1] as Redis | Cluster, prefix);
    await Promise.all(clients.map(closeClient));
  }
}

/** The engine's loop in miniature: load, change, commit, retry on conflict. */
async function increment(store: RedisStore, key: ChatKey, eventId: string): Promise<void> {
  for (;;) {
    const chat = await store.load(key);
    const count = (chat?.snapshot as { count: number } | undefined)?.count ?? 0;
    const seen = (chat?.snapshot as { seen: string[] } | undefined)?.seen ?? [];
    const result = await store.commit(
      commitFor(key, chat?.version ?? 0, eventId, {
        snapshot: { count: count + 1, seen: [...seen, eventId] },
      }),
    );
    if (result.status !== 'conflict') return;
  }
}

for (const target of redisTargets()) {
  describe.skipIf(target.skipReason !== undefined)(
    `concurrent workers on ${target.name}${target.skipReason ? ` (not run: ${target.skipReason})` : ''}`,
    () => {
      it('loses no update on one hot chat written by 6 clients at once', async () => {
        await withClients(target, 6, async (clients, prefix) => {
          const stores = clients.map((client) =>
            createRedisStore({ ...connectionOf(target, client), prefix }),
          );
          const key = { portal: 'hot', chatId: 1 };
          const perWorker = 15;
          await Promise.all(
            stores.map(async (store, worker) => {
              for (let index = 0; index < perWorker; index += 1) {
                await increment(store, key, `w${worker}-e${index}`);
              }
            }),
          );
          const chat = await stores[0]?.load(key);
          const snapshot = chat?.snapshot as { count: number; seen: string[] };
          expect(chat?.version).toBe(6 * perWorker);
          expect(snapshot.count).toBe(6 * perWorker);
          expect(new Set(snapshot.seen).size).toBe(6 * perWorker);
          await Promise.all(stores.map((store) => store.close()));
        });
      });

      it('fires a timer set by a client that then disconnects exactly once, on another client', async () => {
        await withClients(target, 4, async (clients, prefix) => {
          const [setterClient, ...workerClients] = clients as [Redis | Cluster, ...(Redis | Cluster)[]];
          const key = { portal: 'p', chatId: 9 };
          const setter = createRedisStore({ ...connectionOf(target, setterClient), prefix });
          await setter.commit(commitFor(key, 0, 'e1', { timersToSet: [timerFor(key, 'confirm', 150)] }));
          setterClient.disconnect();

          const workers = workerClients.map((client) =>
            createRedisStore({ ...connectionOf(target, client), prefix }),
          );
          const fired: string[] = [];
          const deadline = Date.now() + 5_000;
          let firstFiredAt: number | undefined;
          // Keep polling for a while after the first firing, so that a second one would show up.
          while (Date.now() < deadline && (firstFiredAt === undefined || Date.now() < firstFiredAt + 300)) {
            const batches = await Promise.all(
              workers.map(async (worker, index) => {
                const due = await worker.claimDueTimers({ limit: 10, visibilityMs: 60_000 });
                for (const timer of due) {
                  expect(await worker.completeTimer(timer)).toBe(true);
                }
                return due.map((timer) => `${index}:${timer.id}`);
              }),
            );
            fired.push(...batches.flat());
            if (fired.length > 0) firstFiredAt ??= Date.now();
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          expect(fired).toHaveLength(1);
          expect(fired[0]).toMatch(/:confirm$/);
          await Promise.all(workers.map((worker) => worker.close()));
        });
      });

      it('grants no more than the bucket allows, across 8 clients on 2 portals (injected clock)', async () => {
        await withClients(target, 8, async (clients, prefix) => {
          const clock = testClock();
          const limit = { ratePerSecond: 10, burst: 5 };
          const limiters = clients.map((client) =>
            createRedisRateLimiter({ ...connectionOf(target, client), prefix, clock, limit }),
          );
          const grants = new Map<string, number[]>([
            ['portal-1', []],
            ['portal-2', []],
          ]);
          // 40 steps of 25 ms: every client asks for both portals several times at each step.
          for (let step = 0; step < 40; step += 1) {
            const now = clock.now();
            await Promise.all(
              limiters.flatMap((limiter) =>
                ['portal-1', 'portal-2'].flatMap((portal) =>
                  [0, 1].map(async () => {
                    const decision = await limiter.acquire(portal);
                    if (decision.granted) grants.get(portal)?.push(now);
                    else expect(decision.retryAfterMs).toBeGreaterThan(0);
                  }),
                ),
              ),
            );
            clock.advance(25);
          }
          for (const times of grants.values()) {
            // Sliding window: in any window of w ms at most burst + rate·w grants.
            for (const start of times) {
              for (const windowMs of [0, 100, 250, 500, 1_000]) {
                const inWindow = times.filter((time) => time >= start && time <= start + windowMs).length;
                expect(inWindow).toBeLessThanOrEqual(
                  limit.burst + Math.floor((limit.ratePerSecond * windowMs) / 1000),
                );
              }
            }
            // And the budget is used: burst plus one per 100 ms over the 975 ms run.
            expect(times.length).toBe(limit.burst + 9);
          }
          await Promise.all(limiters.map((limiter) => limiter.close()));
        });
      });

      it('grants no more than the bucket allows on Redis time, across 8 clients on 2 portals', async () => {
        await withClients(target, 8, async (clients, prefix) => {
          const limit = { ratePerSecond: 20, burst: 5 };
          const limiters = clients.map((client) =>
            createRedisRateLimiter({ ...connectionOf(target, client), prefix, limit }),
          );
          const counts = new Map([
            ['portal-1', 0],
            ['portal-2', 0],
          ]);
          const started = Date.now();
          const runMs = 600;
          await Promise.all(
            limiters.flatMap((limiter) =>
              [...counts.keys()].map(async (portal) => {
                while (Date.now() - started < runMs) {
                  const decision = await limiter.acquire(portal);
                  if (decision.granted) counts.set(portal, (counts.get(portal) ?? 0) + 1);
                  else
                    await new Promise((resolve) => setTimeout(resolve, Math.min(decision.retryAfterMs, 10)));
                }
              }),
            ),
          );
          const elapsed = Date.now() - started;
          for (const count of counts.values()) {
            // The server's window is inside the client's, so this bound is exact, not a tolerance.
            expect(count).toBeLessThanOrEqual(
              limit.burst + Math.floor((limit.ratePerSecond * elapsed) / 1000) + 1,
            );
            expect(count).toBeGreaterThanOrEqual(limit.burst);
          }
          await Promise.all(limiters.map((limiter) => limiter.close()));
        });
      });

      it('a QUERY_LIMIT_EXCEEDED reported by one worker holds back every worker of that portal', async () => {
        await withClients(target, 2, async ([a, b], prefix) => {
          const clock = testClock();
          const limit = { ratePerSecond: 2, burst: 50 };
          const first = createRedisRateLimiter({ ...connectionOf(target, a as Redis), prefix, clock, limit });
          const second = createRedisRateLimiter({
            ...connectionOf(target, b as Redis),
            prefix,
            clock,
            limit,
          });
          expect(await second.acquire('p')).toEqual({ granted: true });
          await first.penalize('p', 3_000);
          expect(await second.acquire('p')).toEqual({ granted: false, retryAfterMs: 3_000 });
          expect(await second.acquire('other')).toEqual({ granted: true });
          clock.advance(3_000);
          expect(await second.acquire('p')).toEqual({ granted: true });
          expect((await first.acquire('p')).granted).toBe(false);
          await first.close();
          await second.close();
        });
      });
    },
  );
}
