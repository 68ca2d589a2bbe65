import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSteps } from './helpers/commit-steps.js';
import { closeClient, redisTargets } from './helpers/redis.js';

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
      const setUp = () => commitSteps(target, client, chat, graceMs);

      it('dying after the reserve: the refs stay hidden for the grace period, then are dropped', async () => {
        const { store, clock, reserve, cleanUp } = setUp();
        await reserve({ eventId: 'e1', expectedVersion: 0, effects: ['fx-never'], timers: [['t-never', 0]] });
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await store.backlog()).toMatchObject({ effects: 1, timers: 1 });
        clock.advance(graceMs);
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
        expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
        await cleanUp();
      });

      it('dying after the commit, before settling: the work is found after the grace period, once', async () => {
        const { store, clock, reserve, commitChat, cleanUp } = setUp();
        const commit = { eventId: 'e1', expectedVersion: 0, effects: ['fx'], timers: [['t', 0]] } as const;
        await reserve(commit);
        await commitChat(commit);
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
        const { store, clock, reserve, commitChat, cleanUp } = setUp();
        const commit = { eventId: 'e1', expectedVersion: 0, timers: [['late', graceMs * 3]] } as const;
        await reserve(commit);
        await commitChat(commit);
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
