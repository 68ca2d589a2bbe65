import type { ChatKey } from '@baton/core';
import type { Commit } from '@baton/core/adapter';
import { commitFor, effectFor, timerFor } from '@baton/core/testing';
import {
  createRedisStore,
  isRedisStoreError,
  type RedisStore,
  type RedisStoreOptions,
} from '@baton/store-redis';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeySpace, encodeKeyPart, encodeRef, encodeStateMember } from '../src/keys.js';
import { type TestClock, testClock } from './helpers/clock.js';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

/** Short, real retention: Redis expires keys on its own clock, whatever clock the store uses. */
const retentionMs = 300;
/** How long a wait loop may take before a test gives up. */
const waitLimitMs = 5_000;
const chat: ChatKey = { portal: 'portal-r', chatId: 11 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (bounded), instead of sleeping a fixed long time. */
async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > waitLimitMs) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/** A commit that leaves the chat in `state`. */
function commitIn(
  state: string,
  expectedVersion: number,
  eventId: string,
  extra: Partial<Commit> = {},
): Commit {
  return commitFor(chat, expectedVersion, eventId, {
    snapshot: { value: state },
    summary: { state, stateSince: 1_700_000_000_000 + expectedVersion },
    ...extra,
  });
}

for (const target of redisTargets()) {
  describe.skipIf(target.skipReason !== undefined)(
    `Retention on ${target.name}${target.skipReason ? ` (not run: ${target.skipReason})` : ''}`,
    () => {
      let client: Redis | Cluster;
      let prefix: string;
      let clock: TestClock;
      const stores: RedisStore[] = [];
      const open = (extra: Partial<RedisStoreOptions> = {}) => {
        const store = createRedisStore({
          ...(target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis }),
          prefix,
          clock,
          retention: { closed: retentionMs },
          ...extra,
        });
        stores.push(store);
        return store;
      };
      const setUp = (extra: Partial<RedisStoreOptions> = {}) => {
        prefix = uniquePrefix('ret');
        clock = testClock();
        return open(extra);
      };
      const chatKeys = () => createKeySpace(prefix).chat(chat);

      /** Every key under the chat's hash tag, found by scanning every primary. */
      async function keysOfChat(): Promise<string[]> {
        const tag = `${prefix}:{p:${encodeKeyPart(chat.portal)}}:c:${chat.chatId}`;
        const nodes = client instanceof Cluster ? client.nodes('master') : [client];
        const found: string[] = [];
        for (const node of nodes) {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', `${tag}:*`, 'COUNT', 1_000);
            cursor = next;
            found.push(...keys);
          } while (cursor !== '0');
        }
        return found.sort();
      }
      const ttlOf = (key: string) => client.pttl(key);
      const gone = async () => (await keysOfChat()).length === 0;

      beforeAll(() => {
        client = target.connect();
      });
      afterAll(async () => closeClient(client));
      afterEach(async () => {
        await Promise.all(stores.splice(0).map((store) => store.close()));
        await deletePrefix(client, prefix);
      });

      it('a closed chat with nothing pending expires entirely, every key together', async () => {
        const store = setUp();
        // Give the chat every kind of record: outbox, timer, dedupe ids, history.
        await store.commit(
          commitIn('bot', 0, 'e1', {
            effects: [effectFor(chat, 'fx1')],
            timersToSet: [timerFor(chat, 't1', 10)],
          }),
        );
        const [effect] = await store.claimEffects({ limit: 10, leaseMs: 60_000 });
        expect(await store.completeEffect(effect as NonNullable<typeof effect>)).toBe(true);
        clock.advance(10);
        const [timer] = await store.claimDueTimers({ limit: 10, visibilityMs: 60_000 });
        expect(await store.completeTimer(timer as NonNullable<typeof timer>)).toBe(true);
        expect(await store.commit(commitIn('closed', 1, 'e2'))).toEqual({ status: 'committed', version: 2 });

        const keys = await keysOfChat();
        expect(keys).toEqual([chatKeys().chat, chatKeys().dedupe, chatKeys().history].sort());
        // One expiry for all of them, within the retention.
        const ttls = await Promise.all(keys.map(ttlOf));
        for (const ttl of ttls) {
          expect(ttl).toBeGreaterThan(0);
          expect(ttl).toBeLessThanOrEqual(retentionMs);
        }
        expect(Math.max(...ttls) - Math.min(...ttls)).toBeLessThan(50);

        await waitUntil(gone, 'every key of the chat expired');
        expect(await store.load(chat)).toBeUndefined();
        expect(await store.readChat(chat)).toBeUndefined();
        expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
      });

      it('a closed chat with a pending outbox entry stays until the entry is completed', async () => {
        const store = setUp();
        await store.commit(commitIn('closed', 0, 'e1', { effects: [effectFor(chat, 'fx1')] }));
        expect(await ttlOf(chatKeys().chat)).toBe(-1);
        expect(await ttlOf(chatKeys().outbox)).toBe(-1);
        await sleep(retentionMs * 2);
        expect((await store.load(chat))?.version).toBe(1);

        const [effect] = await store.claimEffects({ limit: 10, leaseMs: 60_000 });
        expect(effect?.id).toBe('fx1');
        await sleep(retentionMs * 2);
        expect((await store.load(chat))?.version).toBe(1);

        expect(await store.completeEffect(effect as NonNullable<typeof effect>)).toBe(true);
        const ttl = await ttlOf(chatKeys().chat);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(retentionMs);
        await waitUntil(gone, 'the chat expired after its last outbox entry');
        expect(await store.load(chat)).toBeUndefined();
      });

      it('a closed chat with a timer stays until the timer is completed, and while another record is pending', async () => {
        const store = setUp();
        await store.commit(
          commitIn('closed', 0, 'e1', {
            effects: [effectFor(chat, 'fx1')],
            timersToSet: [timerFor(chat, 't1', 1_000)],
          }),
        );
        // The outbox entry goes first; the timer still holds the chat.
        const [effect] = await store.claimEffects({ limit: 10, leaseMs: 60_000 });
        expect(await store.completeEffect(effect as NonNullable<typeof effect>)).toBe(true);
        expect(await ttlOf(chatKeys().chat)).toBe(-1);
        await sleep(retentionMs * 2);
        expect((await store.load(chat))?.version).toBe(1);

        clock.advance(1_000);
        const [timer] = await store.claimDueTimers({ limit: 10, visibilityMs: 60_000 });
        expect(timer?.id).toBe('t1');
        expect(await store.completeTimer(timer as NonNullable<typeof timer>)).toBe(true);
        expect(await ttlOf(chatKeys().chat)).toBeGreaterThan(0);
        await waitUntil(gone, 'the chat expired after its last timer');
      });

      it('a closed chat whose last timer is cancelled by a commit that keeps it closed expires', async () => {
        const store = setUp();
        await store.commit(commitIn('closed', 0, 'e1', { timersToSet: [timerFor(chat, 't1', 60_000)] }));
        expect(await ttlOf(chatKeys().chat)).toBe(-1);
        await store.commit(commitIn('closed', 1, 'e2', { timersToCancel: ['t1'] }));
        expect(await ttlOf(chatKeys().chat)).toBeGreaterThan(0);
        await waitUntil(gone, 'the chat expired after its timer was cancelled');
      });

      it('a chat reopened before its expiry keeps its data and loses the expiry', async () => {
        const store = setUp();
        await store.commit(commitIn('closed', 0, 'e1'));
        expect(await ttlOf(chatKeys().chat)).toBeGreaterThan(0);
        expect(await store.commit(commitIn('bot', 1, 'e2'))).toEqual({ status: 'committed', version: 2 });
        expect(await ttlOf(chatKeys().chat)).toBe(-1);
        expect(await ttlOf(chatKeys().history)).toBe(-1);
        // The dedupe set keeps only its own window (dedupeTtlMs), far beyond the retention.
        expect(await ttlOf(chatKeys().dedupe)).toBeGreaterThan(60_000);

        await sleep(retentionMs * 2);
        expect(await store.load(chat)).toEqual({
          snapshot: { value: 'bot' },
          version: 2,
          summary: { state: 'bot', stateSince: 1_700_000_000_001 },
        });
        expect((await store.readChat(chat))?.history.map((entry) => entry.eventId)).toEqual(['e2', 'e1']);
        // Its event ids are still remembered.
        expect(await store.commit(commitIn('bot', 2, 'e1'))).toEqual({ status: 'duplicate' });
      });

      it('a chat that adds an outbox entry while closed loses the expiry until the entry is done', async () => {
        const store = setUp();
        await store.commit(commitIn('closed', 0, 'e1'));
        expect(await ttlOf(chatKeys().chat)).toBeGreaterThan(0);
        await store.commit(commitIn('closed', 1, 'e2', { effects: [effectFor(chat, 'fx1')] }));
        for (const key of [chatKeys().chat, chatKeys().outbox, chatKeys().history]) {
          expect(await ttlOf(key)).toBe(-1);
        }
        await sleep(retentionMs * 2);
        expect((await store.load(chat))?.version).toBe(2);
      });

      it('an expired chat starts afresh at version 1 and is no longer listed', async () => {
        const store = setUp();
        await store.commit(commitIn('bot', 0, 'e1'));
        await store.commit(commitIn('closed', 1, 'e2'));
        expect((await store.listChats({ state: 'closed' })).map((listing) => listing.key)).toEqual([chat]);
        const states = createKeySpace(prefix).indexes(chat.portal).states;
        await waitUntil(gone, 'the chat expired');

        expect(await store.listChats({ state: 'closed' })).toEqual([]);
        expect(await store.listChats()).toEqual([]);
        // Listing removed the entry that pointed at the expired chat.
        expect(await client.zcard(states)).toBe(0);

        // The old event ids went with it: an event starts the chat afresh.
        expect(await store.commit(commitIn('bot', 1, 'e3'))).toEqual({
          status: 'conflict',
          currentVersion: 0,
        });
        expect(await store.commit(commitIn('bot', 0, 'e2'))).toEqual({ status: 'committed', version: 1 });
        expect((await store.readChat(chat))?.history.map((entry) => entry.eventId)).toEqual(['e2']);
        expect((await store.listChats()).map((listing) => [listing.state, listing.version])).toEqual([
          ['bot', 1],
        ]);
      });

      it('a recreated chat leaves no stale entry in the state it expired in', async () => {
        const store = setUp();
        await store.commit(commitIn('closed', 0, 'e1'));
        await waitUntil(gone, 'the chat expired');
        await store.commit(commitIn('bot', 0, 'e2'));
        const states = createKeySpace(prefix).indexes(chat.portal).states;
        const closedMember = encodeStateMember(chat.chatId, 'closed');
        expect(await client.zscore(states, closedMember)).not.toBeNull();
        expect(await store.listChats({ state: 'closed' })).toEqual([]);
        expect(await client.zscore(states, closedMember)).toBeNull();
        expect((await store.listChats({ state: 'bot' })).map((listing) => listing.key)).toEqual([chat]);
      });

      it('claims drop index refs that point at an expired chat, and the backlog empties', async () => {
        const store = setUp();
        await store.commit(commitIn('closed', 0, 'e1'));
        await waitUntil(gone, 'the chat expired');
        // Refs left behind by a worker that died before removing them.
        const indexes = createKeySpace(prefix).indexes(chat.portal);
        await client.zadd(indexes.outbox, 0, encodeRef(chat.chatId, 'fx-old'));
        await client.zadd(indexes.timers, 0, encodeRef(chat.chatId, 't-old'));
        expect(await store.backlog()).toEqual({ effects: 1, timers: 1, dueTimers: 1 });
        expect(await store.claimEffects({ limit: 10, leaseMs: 1_000 })).toEqual([]);
        expect(await store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
        expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
      });

      it('retention false or {} keeps closed chats for good; by default they are kept 30 days', async () => {
        const kept = setUp({ retention: false });
        const empty = open({ retention: {} });
        const byDefault = createRedisStore({
          ...(target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis }),
          prefix: `${prefix}-default`,
          clock,
        });
        stores.push(byDefault);
        try {
          await kept.commit(commitIn('closed', 0, 'e1'));
          expect(await ttlOf(chatKeys().chat)).toBe(-1);
          await empty.commit(commitIn('closed', 1, 'e2'));
          expect(await ttlOf(chatKeys().chat)).toBe(-1);
          expect(await ttlOf(chatKeys().history)).toBe(-1);
          await sleep(retentionMs * 2);
          expect((await kept.load(chat))?.version).toBe(2);

          await byDefault.commit(commitIn('closed', 0, 'e1'));
          const defaultTtl = await ttlOf(createKeySpace(`${prefix}-default`).chat(chat).chat);
          const thirtyDays = 30 * 24 * 60 * 60 * 1000;
          expect(defaultTtl).toBeGreaterThan(thirtyDays - 60_000);
          expect(defaultTtl).toBeLessThanOrEqual(thirtyDays);
          // Other states are not listed by default.
          await byDefault.commit(commitIn('operator', 1, 'e2'));
          expect(await ttlOf(createKeySpace(`${prefix}-default`).chat(chat).chat)).toBe(-1);
        } finally {
          await deletePrefix(client, `${prefix}-default`);
        }
      });

      it('refuses bad retention options with INVALID_OPTIONS', () => {
        prefix = uniquePrefix('ret');
        const connection =
          target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis };
        const bad: unknown[] = [
          true,
          null,
          'closed',
          30_000,
          { closed: 0 },
          { closed: -5 },
          { closed: 1.5 },
          { closed: '30d' },
          { closed: Number.POSITIVE_INFINITY },
          { closed: 1e20 },
          { '': 1_000 },
        ];
        for (const retention of bad) {
          let thrown: unknown;
          try {
            createRedisStore({
              ...connection,
              prefix,
              retention: retention as false,
            });
          } catch (error) {
            thrown = error;
          }
          expect(isRedisStoreError(thrown, 'INVALID_OPTIONS'), JSON.stringify(retention)).toBe(true);
        }
      });
    },
  );
}
