import type { ChatKey } from '@baton/core';
import { commitFor, effectFor, timerFor } from '@baton/core/testing';
import { createRedisStore, type RedisStore } from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeySpace, encodeRef, encodeStateMember } from '../src/keys.js';
import { type TestClock, testClock } from './helpers/clock.js';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

const chatA: ChatKey = { portal: 'portal-a', chatId: 1 };
/** A portal that needs encoding in keys, to show the scan reads chat keys back correctly. */
const chatB: ChatKey = { portal: 'b:{x} y%', chatId: 2 };
/** Claimed entries as sorted `portal#chat/id` labels. */
const labels = (entries: readonly { key: ChatKey; id: string }[]) =>
  entries.map((entry) => `${entry.key.portal}#${entry.key.chatId}/${entry.id}`).sort();

for (const target of redisTargets()) {
  describe.skipIf(target.skipReason !== undefined)(
    `repairIndexes on ${target.name}${target.skipReason ? ` (not run: ${target.skipReason})` : ''}`,
    () => {
      let client: Redis | Cluster;
      let prefix: string;
      let clock: TestClock;
      const stores: RedisStore[] = [];
      const prefixes: string[] = [];
      const open = (storePrefix: string) => {
        prefixes.push(storePrefix);
        const store = createRedisStore({
          ...(target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis }),
          prefix: storePrefix,
          clock,
        });
        stores.push(store);
        return store;
      };
      const setUp = () => {
        prefix = uniquePrefix('rep');
        clock = testClock();
        return open(prefix);
      };
      const indexesOf = (chat: ChatKey) => createKeySpace(prefix).indexes(chat.portal);

      beforeAll(() => {
        client = target.connect();
      });
      afterAll(async () => closeClient(client));
      afterEach(async () => {
        await Promise.all(stores.splice(0).map((store) => store.close()));
        await Promise.all(prefixes.splice(0).map((storePrefix) => deletePrefix(client, storePrefix)));
      });

      it('puts back refs deleted by hand, which are then claimed', async () => {
        const store = setUp();
        await store.commit(
          commitFor(chatA, 0, 'a1', {
            effects: [effectFor(chatA, 'fx1'), effectFor(chatA, 'fx2')],
            timersToSet: [timerFor(chatA, 't1', 100)],
          }),
        );
        await store.commit(commitFor(chatB, 0, 'b1', { effects: [effectFor(chatB, 'fx3')] }));
        // Another deployment's records under a longer prefix must not be touched.
        const other = open(`${prefix}x`);
        await other.commit(commitFor(chatA, 0, 'o1', { effects: [effectFor(chatA, 'fx-other')] }));

        for (const chat of [chatA, chatB]) {
          const indexes = indexesOf(chat);
          await client.del(indexes.outbox);
          await client.del(indexes.timers);
        }
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });

        expect(await store.repairIndexes()).toEqual({
          records: 3,
          effects: 3,
          timers: 1,
          movedEarlier: 0,
          chats: 2,
          stateEntries: 0,
        });
        expect(await store.backlog()).toEqual({ effects: 3, timers: 1, dueTimers: 0 });
        // A second run finds nothing missing.
        expect(await store.repairIndexes()).toEqual({
          records: 3,
          effects: 0,
          timers: 0,
          movedEarlier: 0,
          chats: 2,
          stateEntries: 0,
        });

        expect(labels(await store.claimEffects({ limit: 10, leaseMs: 1_000 }))).toEqual(
          ['portal-a#1/fx1', 'portal-a#1/fx2', 'b:{x} y%#2/fx3'].sort(),
        );
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
        clock.advance(100);
        expect(labels(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 }))).toEqual([
          'portal-a#1/t1',
        ]);
        // The other prefix's entry is still only in its own index.
        expect(labels(await other.claimEffects({ limit: 10, leaseMs: 1_000 }))).toEqual([
          'portal-a#1/fx-other',
        ]);
      });

      it('keeps a lease: a claimed entry is put back at its lease expiry, not earlier', async () => {
        const store = setUp();
        await store.commit(commitFor(chatA, 0, 'a1', { effects: [effectFor(chatA, 'fx1')] }));
        const [claimed] = await store.claimEffects({ limit: 10, leaseMs: 5_000 });
        expect(claimed?.attempt).toBe(1);
        await client.zrem(indexesOf(chatA).outbox, encodeRef(chatA.chatId, 'fx1'));

        expect((await store.repairIndexes()).effects).toBe(1);
        expect(Number(await client.zscore(indexesOf(chatA).outbox, encodeRef(chatA.chatId, 'fx1')))).toBe(
          clock.now() + 5_000,
        );
        expect(await store.claimEffects({ limit: 10, leaseMs: 5_000 })).toEqual([]);
        clock.advance(5_000);
        const [reclaimed] = await store.claimEffects({ limit: 10, leaseMs: 5_000 });
        expect(reclaimed?.attempt).toBe(2);
      });

      it('puts a chat missing from its state index back, so that listings find it again', async () => {
        const store = setUp();
        const awaiting = { state: 'awaitingOperator', stateSince: 1_700_000_000_500 };
        await store.commit(commitFor(chatA, 0, 'a1', { summary: awaiting }));
        await store.commit(commitFor(chatB, 0, 'b1'));
        const keys = createKeySpace(prefix);
        // As when a failover lost the write.
        await client.zrem(
          keys.indexes(chatA.portal).states,
          encodeStateMember(chatA.chatId, 'awaitingOperator'),
        );
        expect(await store.listChats({ state: 'awaitingOperator' })).toEqual([]);

        expect(await store.repairIndexes()).toMatchObject({ chats: 2, stateEntries: 1 });
        expect((await store.listChats({ state: 'awaitingOperator' })).map((chat) => chat.key)).toEqual([
          chatA,
        ]);
        expect((await store.listChats({ state: 'bot' })).map((chat) => chat.key)).toEqual([chatB]);
        expect(await store.repairIndexes()).toMatchObject({ chats: 2, stateEntries: 0 });
      });

      it('never moves an existing ref later, only earlier', async () => {
        const store = setUp();
        await store.commit(
          commitFor(chatA, 0, 'a1', {
            effects: [effectFor(chatA, 'early'), effectFor(chatA, 'late')],
          }),
        );
        const indexes = indexesOf(chatA);
        const truth = Number(await client.zscore(indexes.outbox, encodeRef(chatA.chatId, 'early')));
        await client.zadd(indexes.outbox, truth - 10, encodeRef(chatA.chatId, 'early'));
        await client.zadd(indexes.outbox, truth + 1_000_000, encodeRef(chatA.chatId, 'late'));

        expect(await store.repairIndexes()).toMatchObject({
          records: 1,
          effects: 0,
          timers: 0,
          movedEarlier: 1,
        });
        expect(Number(await client.zscore(indexes.outbox, encodeRef(chatA.chatId, 'early')))).toBe(
          truth - 10,
        );
        expect(Number(await client.zscore(indexes.outbox, encodeRef(chatA.chatId, 'late')))).toBe(truth);
      });
    },
  );
}
