import type { ChatKey } from '@baton/core';
import type { StoredChat } from '@baton/core/adapter';
import { commitFor } from '@baton/core/testing';
import { createRedisStore, type RedisStore } from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeySpace } from '../src/keys.js';
import { type TestClock, testClock } from './helpers/clock.js';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

const portalA = 'a41f9c2e7b3d4e5f8a9b0c1d2e3f4a5b';
/** A portal that needs encoding in keys, to show the scan reads chat keys back correctly. */
const portalB = 'b:{x} y%';
const anna = 310_401;
const boris = 310_402;

const held = (state: string, holder?: number): { summary: StoredChat['summary'] } => ({
  summary: { state, stateSince: 1_700_000_000_000, ...(holder === undefined ? {} : { holder }) },
});

for (const target of redisTargets()) {
  describe.skipIf(target.skipReason !== undefined)(
    `busy counts on ${target.name}${target.skipReason ? ` (not run: ${target.skipReason})` : ''}`,
    () => {
      let client: Redis | Cluster;
      let prefix: string;
      let clock: TestClock;
      const stores: RedisStore[] = [];
      const open = (retention?: Record<string, number>) => {
        prefix = uniquePrefix('busy');
        clock = testClock();
        const store = createRedisStore({
          ...(target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis }),
          prefix,
          clock,
          ...(retention === undefined ? {} : { retention }),
        });
        stores.push(store);
        return store;
      };
      const chat = (portal: string, chatId: number): ChatKey => ({ portal, chatId });
      const busyKey = (portal: string) => createKeySpace(prefix).busy(portal);

      beforeAll(() => {
        client = target.connect();
      });
      afterAll(async () => closeClient(client));
      afterEach(async () => {
        await Promise.all(stores.splice(0).map((store) => store.close()));
        await deletePrefix(client, prefix);
      });

      it('keeps the holder beside the chat, where load and readChat show it', async () => {
        const store = open();
        await store.commit(commitFor(chat(portalA, 740_001), 0, 'offer', held('transferring', anna)));
        expect((await store.load(chat(portalA, 740_001)))?.summary).toEqual(
          held('transferring', anna).summary,
        );
        await store.commit(commitFor(chat(portalA, 740_001), 1, 'finish', held('closed')));
        expect((await store.readChat(chat(portalA, 740_001)))?.summary).toEqual(held('closed').summary);
      });

      it('repairBusyCounts finds nothing after commits, and rewrites counts changed by hand', async () => {
        const store = open();
        await store.commit(commitFor(chat(portalA, 740_011), 0, 'a1', held('transferring', anna)));
        await store.commit(commitFor(chat(portalA, 740_012), 0, 'a2', held('operator', anna)));
        await store.commit(commitFor(chat(portalA, 740_013), 0, 'a3', held('awaitingOperator', boris)));
        await store.commit(commitFor(chat(portalB, 740_011), 0, 'b1', held('operator', boris)));
        await store.commit(commitFor(chat(portalA, 740_013), 1, 'a3-done', held('closed')));
        expect(await store.repairBusyCounts()).toEqual({ chats: 4, corrected: [] });

        await client.hset(busyKey(portalA), String(anna), '5', '310499', '2');
        await client.hdel(busyKey(portalB), String(boris));
        const report = await store.repairBusyCounts();
        expect(report.chats).toBe(4);
        expect(
          [...report.corrected].sort(
            (x, y) => x.portal.localeCompare(y.portal) || x.operatorId - y.operatorId,
          ),
        ).toEqual([
          { portal: portalA, operatorId: anna, was: 5, now: 2 },
          { portal: portalA, operatorId: 310_499, was: 2, now: 0 },
          { portal: portalB, operatorId: boris, was: 0, now: 1 },
        ]);
        expect(await store.readBusy(portalA, [anna, boris, 310_499])).toEqual(
          new Map([
            [anna, 2],
            [boris, 0],
            [310_499, 0],
          ]),
        );
        expect(await store.readBusy(portalB, [boris])).toEqual(new Map([[boris, 1]]));
        expect(await store.repairBusyCounts()).toEqual({ chats: 4, corrected: [] });
      });

      it('repairs one portal only when asked, and reports a holder removed by hand', async () => {
        const store = open();
        await store.commit(commitFor(chat(portalA, 740_021), 0, 'a1', held('operator', anna)));
        await store.commit(commitFor(chat(portalB, 740_021), 0, 'b1', held('operator', anna)));
        const keys = createKeySpace(prefix);
        await client.hdel(keys.chat(chat(portalA, 740_021)).chat, 'holder');
        await client.hdel(keys.chat(chat(portalB, 740_021)).chat, 'holder');
        expect(await store.repairBusyCounts(portalB)).toEqual({
          chats: 1,
          corrected: [{ portal: portalB, operatorId: anna, was: 1, now: 0 }],
        });
        expect(await store.readBusy(portalA, [anna])).toEqual(new Map([[anna, 1]]));
        await expect(store.repairBusyCounts('')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      });

      it('never lets a chat that holds an operator expire (its count could not be released)', async () => {
        const store = open({ operator: 60_000, closed: 60_000 });
        const key = chat(portalA, 740_031);
        const keys = createKeySpace(prefix).chat(key);
        await store.commit(commitFor(key, 0, 'answered', held('operator', anna)));
        expect(await client.pttl(keys.chat)).toBe(-1);
        await store.commit(commitFor(key, 1, 'finished', held('closed')));
        expect(await client.pttl(keys.chat)).toBeGreaterThan(0);
      });
    },
  );
}
