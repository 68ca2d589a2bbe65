import { commitFor, effectFor } from '@baton/core/testing';
import { createRedisStore, isRedisStoreError } from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSteps } from './helpers/commit-steps.js';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

// Two workers interleaving the steps of a commit and of a claim, run by hand: whatever the
// order, the shard index never loses work and never makes it late.
const chat = { portal: 'p', chatId: 1 };
const graceMs = 5_000;

for (const target of redisTargets()) {
  describe.skipIf(target.skipReason !== undefined)(
    `shard index races on ${target.name}${target.skipReason ? ` (not run: ${target.skipReason})` : ''}`,
    () => {
      let client: Redis | Cluster;
      beforeAll(() => {
        client = target.connect();
      });
      afterAll(async () => closeClient(client));
      const setUp = () => commitSteps(target, client, chat, graceMs);
      const connection = () =>
        target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis };

      it('a claim that judged a ref gone cannot drop the reservation a new commit made meanwhile', async () => {
        const { store, clock, reserve, commitChat, takeRefs, dropRef, refOf, cleanUp } = setUp();
        // A commit whose worker died after reserving leaves a ref without a record.
        await reserve({ eventId: 'e0', expectedVersion: 0, effects: ['fx'] });
        clock.advance(graceMs);
        // A claim with a lease longer than the grace period takes the ref and finds no record…
        const taken = await takeRefs('outbox', graceMs * 10);
        expect(taken.refs).toEqual([refOf('fx')]);
        // …meanwhile another worker commits the entry and dies before settling…
        const commit = { eventId: 'e1', expectedVersion: 0, effects: ['fx'] };
        await reserve(commit);
        expect((await commitChat(commit)).status).toBe(1);
        // …then the claim drops the ref it judged gone.
        await dropRef('outbox', refOf('fx'), taken.leaseUntil);
        clock.advance(graceMs);
        expect((await store.claimEffects({ limit: 10, leaseMs: 1_000 })).map((effect) => effect.id)).toEqual([
          'fx',
        ]);
        await cleanUp();
      });

      it('settles arriving out of order never make a timer late', async () => {
        const { store, clock, reserve, commitChat, settle, cleanUp } = setUp();
        const first = { eventId: 'e1', expectedVersion: 0, timers: [['confirm', 3_600_000]] } as const;
        const second = { eventId: 'e2', expectedVersion: 1, timers: [['confirm', 1_000]] } as const;
        const firstReserve = await reserve(first);
        const firstCommit = await commitChat(first);
        const secondReserve = await reserve(second);
        const secondCommit = await commitChat(second);
        await settle(second, secondReserve.reserved, secondCommit.scores);
        // The first worker's settle, held up on the network, arrives last.
        await settle(first, firstReserve.reserved, firstCommit.scores);
        clock.advance(1_000);
        const due = await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 });
        expect(due).toMatchObject([{ id: 'confirm', dueAt: clock.now() }]);
        await cleanUp();
      });

      it('a commit held up past its deadline changes nothing, and its refs are dropped', async () => {
        const { store, clock, reserve, commitChat, cleanUp } = setUp();
        const commit = { eventId: 'e1', expectedVersion: 0, effects: ['fx'], timers: [['t', 0]] } as const;
        const { tentative } = await reserve(commit);
        const deadline = String(tentative - graceMs / 2);
        clock.advance(graceMs / 2 + 1);
        expect((await commitChat({ ...commit, deadline })).status).toBe(4);
        expect(await store.load(chat)).toBeUndefined();
        expect(await store.readChat(chat)).toBeUndefined();
        clock.advance(graceMs);
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
        expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
        // On time, the same commit applies.
        const again = await reserve(commit);
        expect(
          (await commitChat({ ...commit, deadline: String(again.tentative - graceMs / 2) })).status,
        ).toBe(1);
        await cleanUp();
      });

      it('commit retries a round that reached Redis too late, and gives up with REDIS_FAILURE', async () => {
        const prefix = uniquePrefix('late');
        // A clock that jumps past the deadline between a commit's reserve and its chat script,
        // as a connection stalled for longer than the grace period would.
        let now = 1_700_000_000_000;
        let calls = 0;
        let stalls = 1;
        const clock = {
          now: () => {
            calls += 1;
            if (calls % 2 === 0 && stalls > 0) {
              stalls -= 1;
              now += graceMs;
            }
            return now;
          },
        };
        const store = createRedisStore({
          ...connection(),
          prefix,
          clock,
          shards: 4,
          pendingGraceMs: graceMs,
        });
        try {
          const result = await store.commit(commitFor(chat, 0, 'e1', { effects: [effectFor(chat, 'fx')] }));
          expect(result).toEqual({ status: 'committed', version: 1 });
          expect((await store.readChat(chat))?.history.map((entry) => entry.eventId)).toEqual(['e1']);
          const claimed = await store.claimEffects({ limit: 10, leaseMs: 1_000 });
          expect(claimed.map((effect) => effect.id)).toEqual(['fx']);

          stalls = Number.POSITIVE_INFINITY;
          calls = 0;
          const plain = await store.commit(commitFor(chat, 1, 'e2'));
          // No refs to reserve: no deadline, the commit applies whatever the clock does.
          expect(plain).toEqual({ status: 'committed', version: 2 });
          calls = 0;
          const failure = await store
            .commit(commitFor(chat, 2, 'e3', { effects: [effectFor(chat, 'fx3')] }))
            .catch((caught: unknown) => caught);
          expect(isRedisStoreError(failure, 'REDIS_FAILURE')).toBe(true);
          expect((await store.load(chat))?.version).toBe(2);
        } finally {
          await store.close();
          await deletePrefix(client, prefix);
        }
      });
    },
  );
}
