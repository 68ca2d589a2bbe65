import { commitFor, effectFor, timerFor } from '@baton/core/testing';
import { createRedisStore, isRedisStoreError, type RedisStore } from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeySpace, encodeRef } from '../src/keys.js';
import { type TestClock, testClock } from './helpers/clock.js';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

const chat = { portal: 'portal-a', chatId: 7 };

for (const target of redisTargets()) {
  describe.skipIf(target.skipReason !== undefined)(
    `Redis store on ${target.name}${target.skipReason ? ` (not run: ${target.skipReason})` : ''}`,
    () => {
      let client: Redis | Cluster;
      let prefix: string;
      let clock: TestClock;
      const stores: RedisStore[] = [];
      const open = (extra: { dedupeTtlMs?: number } = {}) => {
        const store = createRedisStore({
          ...(target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis }),
          prefix,
          clock,
          ...extra,
        });
        stores.push(store);
        return store;
      };

      beforeAll(() => {
        client = target.connect();
      });
      afterAll(async () => closeClient(client));
      afterEach(async () => {
        await Promise.all(stores.splice(0).map((store) => store.close()));
        await deletePrefix(client, prefix);
      });
      const setUp = () => {
        prefix = uniquePrefix();
        clock = testClock();
        return open();
      };

      it('commits, loads and counts versions', async () => {
        const store = setUp();
        expect(await store.load(chat)).toBeUndefined();
        expect(await store.commit(commitFor(chat, 0, 'e1'))).toEqual({ status: 'committed', version: 1 });
        expect(await store.commit(commitFor(chat, 1, 'e2', { snapshot: { n: 2 } }))).toEqual({
          status: 'committed',
          version: 2,
        });
        expect(await store.load(chat)).toEqual({
          snapshot: { n: 2 },
          version: 2,
          summary: { state: 'bot', stateSince: 1_700_000_000_001 },
        });
        expect(await store.commit(commitFor(chat, 1, 'e3'))).toEqual({
          status: 'conflict',
          currentVersion: 2,
        });
      });

      it('a replayed commit is a no-op: the second run is a duplicate and adds nothing', async () => {
        const store = setUp();
        const commit = commitFor(chat, 0, 'e1', {
          effects: [effectFor(chat, 'fx1')],
          timersToSet: [timerFor(chat, 't1', 100)],
        });
        // Sent twice at once on one connection, as ioredis does when it resends after a reconnect.
        const results = await Promise.all([store.commit(commit), store.commit(commit)]);
        expect(results).toEqual([{ status: 'committed', version: 1 }, { status: 'duplicate' }]);
        expect(await store.commit(commit)).toEqual({ status: 'duplicate' });
        expect((await store.load(chat))?.version).toBe(1);
        expect((await store.claimEffects({ limit: 10, leaseMs: 1_000 })).map((e) => e.id)).toEqual(['fx1']);
        clock.advance(100);
        expect((await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).map((t) => t.id)).toEqual([
          't1',
        ]);
      });

      it('a worker that dies between taking a ref and claiming its record delays the entry by one lease, never loses it', async () => {
        const store = setUp();
        await store.commit(commitFor(chat, 0, 'e1', { effects: [effectFor(chat, 'fx1')] }));
        // The first half of a claim, run by hand: the ref is hidden for the lease, then the worker is gone.
        const scripts = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        const outboxIndex = createKeySpace(prefix).indexes(chat.portal).outbox;
        const taken = (await scripts.batonIndexClaim?.call(
          client,
          outboxIndex,
          String(clock.now()),
          10,
          4_000,
        )) as unknown[];
        expect(taken.slice(3)).toEqual([encodeRef(chat.chatId, 'fx1')]);
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        clock.advance(4_000);
        const claimed = await store.claimEffects({ limit: 10, leaseMs: 1_000 });
        expect(claimed.map((effect) => [effect.id, effect.attempt])).toEqual([['fx1', 1]]);
        expect(await store.completeEffect(claimed[0] as (typeof claimed)[number])).toBe(true);
        expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
      });

      it('a commit and the index move together: a cancelled timer leaves no ref, a replaced one keeps its new due time', async () => {
        const store = setUp();
        const timersIndex = createKeySpace(prefix).indexes(chat.portal).timers;
        await store.commit(
          commitFor(chat, 0, 'e1', {
            timersToSet: [timerFor(chat, 'gone', 1_000), timerFor(chat, 'moved', 1_000)],
          }),
        );
        await store.commit(
          commitFor(chat, 1, 'e2', {
            timersToCancel: ['gone'],
            timersToSet: [timerFor(chat, 'moved', 9_000)],
          }),
        );
        expect(await client.zrange(timersIndex, '0', '-1', 'WITHSCORES')).toEqual([
          encodeRef(chat.chatId, 'moved'),
          String(clock.now() + 9_000),
        ]);
      });

      it('a claimed timer comes with its chat, and a commit can complete it when its lease still holds', async () => {
        const store = setUp();
        await store.commit(
          commitFor(chat, 0, 'e1', {
            timersToSet: [timerFor(chat, 'confirm', 0), timerFor(chat, 'poll', 0)],
          }),
        );
        const claimed = await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 });
        const byId = new Map(claimed.map((timer) => [timer.id, timer]));
        expect(byId.get('confirm')?.chat).toMatchObject({ version: 1, summary: { state: 'bot' } });
        const confirm = byId.get('confirm') as (typeof claimed)[number];
        const poll = byId.get('poll') as (typeof claimed)[number];

        // The fired event's commit completes the timer (and may set the same id again).
        expect(
          await store.commit(
            commitFor(chat, 1, 'fired:confirm', {
              completesTimer: { id: confirm.id, leaseToken: confirm.leaseToken },
              timersToSet: [timerFor(chat, 'confirm', 5_000)],
            }),
          ),
        ).toEqual({ status: 'committed', version: 2, timerCompleted: true });
        expect(await store.completeTimer(confirm)).toBe(false);
        // A token that no longer holds the timer completes nothing.
        expect(
          await store.commit(
            commitFor(chat, 2, 'fired:poll', { completesTimer: { id: poll.id, leaseToken: 'stale@1' } }),
          ),
        ).toEqual({ status: 'committed', version: 3, timerCompleted: false });
        const timers = (await store.readChat(chat))?.timers.map((timer) => timer.id).sort();
        expect(timers).toEqual(['confirm', 'poll']);
        expect(await store.completeTimer(poll)).toBe(true);
        clock.advance(5_000);
        expect(
          (await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).map((timer) => timer.id),
        ).toEqual(['confirm']);
      });

      it('an unreadable outbox record is reported and skipped; the rest of the claim goes on', async () => {
        const store = setUp();
        const reported: unknown[] = [];
        store.onError((error) => reported.push(error));
        await store.commit(
          commitFor(chat, 0, 'e1', { effects: [effectFor(chat, 'fx-good'), effectFor(chat, 'fx-bad')] }),
        );
        // Damage one record's call, as a foreign writer or a bad manual edit would.
        const outbox = createKeySpace(prefix).chat(chat).outbox;
        const record = JSON.parse((await client.hget(outbox, 'fx-bad')) as string) as Record<string, unknown>;
        await client.hset(outbox, 'fx-bad', JSON.stringify({ ...record, call: '{"kind":"teleport"}' }));

        const claimed = await store.claimEffects({ limit: 10, leaseMs: 1_000 });
        expect(claimed.map((effect) => effect.id)).toEqual(['fx-good']);
        expect(reported).toHaveLength(1);
        expect(reported[0]).toMatchObject({ code: 'CORRUPT_RECORD', context: { portal: chat.portal } });
        // Hidden for its lease, then reported again; never handed out.
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        clock.advance(1_000);
        expect((await store.claimEffects({ limit: 10, leaseMs: 1_000 })).map((effect) => effect.id)).toEqual([
          'fx-good',
        ]);
        expect(reported).toHaveLength(2);
      });

      it('an event id is remembered for the dedupe window and forgotten after it', async () => {
        prefix = uniquePrefix();
        clock = testClock();
        const store = open();
        const short = createRedisStore({
          ...(target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis }),
          prefix,
          clock,
          dedupeTtlMs: 1_000,
        });
        stores.push(short);
        await short.commit(commitFor(chat, 0, 'e1'));
        clock.advance(999);
        expect(await short.commit(commitFor(chat, 1, 'e1'))).toEqual({ status: 'duplicate' });
        clock.advance(1);
        expect(await store.commit(commitFor(chat, 1, 'e1'))).toEqual({ status: 'committed', version: 2 });
      });

      it('fences completion: a worker whose lease expired and was reclaimed cannot complete', async () => {
        const first = setUp();
        const second = open();
        await first.commit(commitFor(chat, 0, 'e1', { effects: [effectFor(chat, 'fx1')] }));
        const [claim] = await first.claimEffects({ limit: 10, leaseMs: 1_000 });
        expect(claim).toMatchObject({ id: 'fx1', key: chat, attempt: 1, call: { kind: 'sendBotMessage' } });
        expect(await second.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);

        clock.advance(1_000);
        const [reclaim] = await second.claimEffects({ limit: 10, leaseMs: 1_000 });
        expect(reclaim).toMatchObject({ id: 'fx1', attempt: 2 });
        expect(reclaim?.leaseToken).not.toBe(claim?.leaseToken);

        expect(await first.completeEffect(claim as NonNullable<typeof claim>)).toBe(false);
        expect(await second.completeEffect(reclaim as NonNullable<typeof reclaim>)).toBe(true);
        expect(await second.completeEffect(reclaim as NonNullable<typeof reclaim>)).toBe(false);
        clock.advance(10_000);
        expect(await first.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await first.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
      });

      it('an effect id recorded again replaces the entry: unclaimed, new call, old lease fenced', async () => {
        const store = setUp();
        await store.commit(commitFor(chat, 0, 'e1', { effects: [effectFor(chat, 'fx')] }));
        const [old] = await store.claimEffects({ limit: 10, leaseMs: 60_000 });
        expect(old).toMatchObject({ id: 'fx', attempt: 1, call: { kind: 'sendBotMessage' } });
        await store.commit(
          commitFor(chat, 1, 'e2', { effects: [effectFor(chat, 'fx', { kind: 'removeBot' })] }),
        );
        // Claimable at once although the old lease has most of its minute left.
        const [fresh, ...rest] = await store.claimEffects({ limit: 10, leaseMs: 60_000 });
        expect(rest).toEqual([]);
        expect(fresh).toMatchObject({ id: 'fx', attempt: 1, call: { kind: 'removeBot' } });
        expect(await store.completeEffect(old as NonNullable<typeof old>)).toBe(false);
        expect(await store.completeEffect(fresh as NonNullable<typeof fresh>)).toBe(true);
        clock.advance(120_000);
        expect(await store.claimEffects({ limit: 10, leaseMs: 60_000 })).toEqual([]);
      });

      it('timers fire once when due, again only after the visibility timeout, never after a cancel', async () => {
        const store = setUp();
        await store.commit(
          commitFor(chat, 0, 'e1', {
            timersToSet: [timerFor(chat, 'confirm', 500), timerFor(chat, 'cancelled', 500)],
          }),
        );
        await store.commit(commitFor(chat, 1, 'e2', { timersToCancel: ['cancelled'] }));
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
        clock.advance(500);
        const [timer, ...rest] = await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 });
        expect(rest).toEqual([]);
        expect(timer).toMatchObject({ id: 'confirm', key: chat, dueAt: 1_700_000_000_500 });
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
        clock.advance(1_000);
        const [again] = await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 });
        expect(again?.id).toBe('confirm');
        expect(await store.completeTimer(timer as NonNullable<typeof timer>)).toBe(false);
        expect(await store.completeTimer(again as NonNullable<typeof again>)).toBe(true);
        clock.advance(10_000);
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
      });

      it('a timer replaced while claimed cannot be completed by the old claim', async () => {
        const store = setUp();
        await store.commit(commitFor(chat, 0, 'e1', { timersToSet: [timerFor(chat, 'deadline', 0)] }));
        const [claimed] = await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 });
        await store.commit(commitFor(chat, 1, 'e2', { timersToSet: [timerFor(chat, 'deadline', 2_000)] }));
        expect(await store.completeTimer(claimed as NonNullable<typeof claimed>)).toBe(false);
        clock.advance(2_000);
        const [fresh] = await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 });
        expect(fresh).toMatchObject({ id: 'deadline', dueAt: 1_700_000_002_000 });
      });

      it('two portals with the same chat id, and look-alike portal names, never share state', async () => {
        const store = setUp();
        const chats = [
          { portal: 'a', chatId: 1 },
          { portal: 'b', chatId: 1 },
          { portal: 'a:1', chatId: 1 },
          { portal: 'a}:{c:a', chatId: 1 },
          { portal: 'a%3A1', chatId: 1 },
          { portal: 'пóртал', chatId: 1 },
        ];
        for (const [index, key] of chats.entries()) {
          expect(
            await store.commit(
              commitFor(key, 0, 'same-event', { snapshot: { index }, effects: [effectFor(key, 'fx')] }),
            ),
          ).toEqual({ status: 'committed', version: 1 });
        }
        for (const [index, key] of chats.entries()) {
          expect((await store.load(key))?.snapshot).toEqual({ index });
        }
        const claimed = await store.claimEffects({ limit: 100, leaseMs: 1_000 });
        expect(claimed.map((effect) => effect.key).sort((x, y) => x.portal.localeCompare(y.portal))).toEqual(
          [...chats].sort((x, y) => x.portal.localeCompare(y.portal)),
        );
        expect(await store.listChats({ portal: 'a' })).toEqual([
          { key: { portal: 'a', chatId: 1 }, state: 'bot', stateSince: 1_700_000_000_000, version: 1 },
        ]);
      });

      it('rejects bad input with a coded error and changes nothing', async () => {
        const store = setUp();
        const bad = [
          { ...commitFor(chat, 0, 'e1'), expectedVersion: -1 },
          { ...commitFor(chat, 0, 'e1'), key: { portal: '', chatId: 1 } },
          commitFor(chat, 0, 'e1', { effects: [effectFor({ portal: 'other', chatId: 7 }, 'fx')] }),
          commitFor(chat, 0, 'e1', { snapshot: { big: BigInt(1) } }),
        ];
        for (const commit of bad) {
          const error = await store.commit(commit).catch((caught: unknown) => caught);
          expect(isRedisStoreError(error, 'INVALID_INPUT')).toBe(true);
        }
        expect(await store.load(chat)).toBeUndefined();
        expect(() => createRedisStore({ prefix: 'has:colon', url: 'redis://127.0.0.1' })).toThrow(/prefix/);
        expect(() => createRedisStore({ prefix: 'x' })).toThrow(/exactly one of redis, cluster or url/);
      });

      it('lists chats by state and age and shows one chat with its history', async () => {
        const store = setUp();
        const since = clock.now();
        const waiting = { portal: 'p', chatId: 1 };
        const recent = { portal: 'p', chatId: 2 };
        const other = { portal: 'q', chatId: 3 };
        await store.commit(commitFor(waiting, 0, 'e1'));
        await store.commit(
          commitFor(waiting, 1, 'e2', {
            summary: { state: 'awaitingOperator', stateSince: since - 15 * 60_000 },
            timersToSet: [timerFor(waiting, 'confirm', 60_000)],
            effects: [effectFor(waiting, 'fx')],
          }),
        );
        await store.commit(
          commitFor(recent, 0, 'e3', { summary: { state: 'awaitingOperator', stateSince: since - 60_000 } }),
        );
        await store.commit(
          commitFor(other, 0, 'e4', { summary: { state: 'operator', stateSince: since - 30 * 60_000 } }),
        );

        expect(await store.listChats({ state: 'awaitingOperator', olderThanMs: 10 * 60_000 })).toEqual([
          { key: waiting, state: 'awaitingOperator', stateSince: since - 15 * 60_000, version: 2 },
        ]);
        expect((await store.listChats()).map((listing) => listing.key)).toEqual([other, waiting, recent]);
        expect((await store.listChats({ limit: 1 })).map((listing) => listing.key)).toEqual([other]);
        expect(await store.listChats({ state: 'bot' })).toEqual([]);

        const details = await store.readChat(waiting);
        expect(details?.history.map((entry) => [entry.version, entry.eventId, entry.state])).toEqual([
          [2, 'e2', 'awaitingOperator'],
          [1, 'e1', 'bot'],
        ]);
        expect(details?.timers).toEqual([{ id: 'confirm', dueAt: since + 60_000 }]);
        expect(details?.effects).toEqual([{ id: 'fx', kind: 'sendBotMessage', attempt: 0, leasedUntil: 0 }]);
        expect(await store.backlog()).toEqual({ effects: 1, timers: 1, dueTimers: 0 });
        clock.advance(60_000);
        expect(await store.backlog()).toEqual({ effects: 1, timers: 1, dueTimers: 1 });
      });

      it('keeps routing counters consistent under concurrency', async () => {
        const store = setUp();
        const other = open();
        const positions = await Promise.all(
          Array.from({ length: 40 }, (_, index) =>
            (index % 2 === 0 ? store : other).nextInRotation('p', 'pool'),
          ),
        );
        expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index));
        // Two clients offering 30 chats to operator 5 with a limit of 20: exactly 20 are taken.
        const offers = await Promise.all(
          Array.from({ length: 30 }, (_, index) =>
            (index % 2 === 0 ? store : other).commit(
              commitFor({ portal: 'p', chatId: 730_000 + index }, 0, `offer-${index}`, {
                summary: { state: 'transferring', stateSince: 1_700_000_000_000, holder: 5 },
                maxChats: 20,
              }),
            ),
          ),
        );
        expect(offers.filter((result) => result.status === 'committed')).toHaveLength(20);
        expect(offers.filter((result) => result.status === 'atCapacity')).toHaveLength(10);
        expect(await store.readBusy('p', [5, 6, 7])).toEqual(
          new Map([
            [5, 20],
            [6, 0],
            [7, 0],
          ]),
        );
        expect(await store.readBusy('q', [5])).toEqual(new Map([[5, 0]]));
      });
    },
  );
}
