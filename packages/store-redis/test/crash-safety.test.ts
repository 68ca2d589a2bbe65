import { createRedisStore } from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeySpace, encodeRef } from '../src/keys.js';
import { defineScripts } from '../src/scripts/index.js';
import { testClock } from './helpers/clock.js';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

// A worker can die between the steps of a commit that touches the shard indexes (reserve the
// index refs, commit the chat, settle the refs). These tests stop a commit after each step by
// running the scripts by hand, then check that the other workers still do the right thing.
const chat = { portal: 'p', chatId: 1 };
const graceMs = 5_000;

for (const target of redisTargets()) {
  describe.skipIf(target.skipReason !== undefined)(
    `a worker dying mid-commit on ${target.name}${target.skipReason ? ` (not run: ${target.skipReason})` : ''}`,
    () => {
      let client: Redis | Cluster;
      beforeAll(() => {
        client = target.connect();
      });
      afterAll(async () => closeClient(client));

      const setUp = () => {
        const prefix = uniquePrefix('crash');
        const clock = testClock();
        const connection =
          target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis };
        const store = createRedisStore({ ...connection, prefix, clock, shards: 4, pendingGraceMs: graceMs });
        const keys = createKeySpace(prefix, 4);
        const run = defineScripts(client);
        const shard = keys.shard(keys.shardOf(chat));
        const chatKeys = keys.chat(chat);
        const now = () => String(clock.now());
        const reserve = (effectIds: string[], timerIds: string[]) =>
          run(
            'batonIndexReserve',
            [shard.outbox, shard.timers],
            [
              now(),
              graceMs,
              effectIds.length,
              ...effectIds.map((id) => encodeRef(chat, id)),
              timerIds.length,
              ...timerIds.map((id) => encodeRef(chat, id)),
            ],
          );
        const commitOnly = (eventId: string, effectId: string, timerId: string, delayMs: number) =>
          run(
            'batonCommit',
            [chatKeys.chat, chatKeys.dedupe, chatKeys.outbox, chatKeys.timers, chatKeys.history],
            [
              now(),
              0,
              eventId,
              60_000,
              '{}',
              'bot',
              0,
              5,
              1,
              effectId,
              '{"kind":"removeBot"}',
              1,
              timerId,
              delayMs,
              0,
            ],
          );
        const cleanUp = async () => {
          await store.close();
          await deletePrefix(client, prefix);
        };
        return { store, clock, reserve, commitOnly, cleanUp };
      };

      it('dying after the reserve: the refs stay hidden for the grace period, then are dropped', async () => {
        const { store, clock, reserve, cleanUp } = setUp();
        await reserve(['fx-never'], ['t-never']);
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await store.backlog()).toMatchObject({ effects: 1, timers: 1 });
        clock.advance(graceMs);
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
        expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
        await cleanUp();
      });

      it('dying after the commit, before settling: the work is found after the grace period, once', async () => {
        const { store, clock, reserve, commitOnly, cleanUp } = setUp();
        await reserve(['fx'], ['t']);
        await commitOnly('e1', 'fx', 't', 0);
        expect((await store.load(chat))?.version).toBe(1);
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        clock.advance(graceMs);
        const effects = await store.claimEffects({ limit: 10, leaseMs: 1_000 });
        const timers = await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 });
        expect(effects.map((effect) => effect.id)).toEqual(['fx']);
        expect(timers.map((timer) => timer.id)).toEqual(['t']);
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await store.completeEffect(effects[0] as NonNullable<(typeof effects)[0]>)).toBe(true);
        expect(await store.completeTimer(timers[0] as NonNullable<(typeof timers)[0]>)).toBe(true);
        expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
        await cleanUp();
      });

      it('a timer due later than the grace period keeps its due time', async () => {
        const { store, clock, reserve, commitOnly, cleanUp } = setUp();
        await reserve([], ['late']);
        await commitOnly('e1', 'fx', 'late', graceMs * 3);
        clock.advance(graceMs);
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
        clock.advance(graceMs * 2);
        expect(
          (await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).map((timer) => timer.id),
        ).toEqual(['late']);
        await cleanUp();
      });
    },
  );
}
