import type { Store } from '@baton/core';
import type { BusyRepairReport, RoutingCounters, Scheduler, StoreInspection } from '@baton/core/adapter';
import { z } from 'zod';
import { type BusyRepairOptions, createBusyRepair } from './busy-repair.js';
import { createCommitPath } from './commit.js';
import { openConnection } from './connection.js';
import type { StoreContext } from './context.js';
import { type ChatDetails, createInspection } from './inspection.js';
import { createKeySpace } from './keys.js';
import {
  connectionShape,
  exactlyOneConnection,
  oneConnectionMessage,
  parseOptions,
  type RedisConnectionOptions,
  retentionSchema,
} from './options.js';
import { createOutbox } from './outbox.js';
import { createPortalRegistry } from './portal-registry.js';
import { createIndexRepair, type IndexRepairReport } from './repair.js';
import { createRoutingCounters } from './routing-counters.js';
import { createTimers } from './timers.js';
import { createWorkSignal } from './work-signal.js';

/** Options of `createRedisStore`. */
export interface RedisStoreOptions extends RedisConnectionOptions {
  /**
   * How long an event id is remembered for dedupe.
   *
   * @defaultValue 7 days (604 800 000 ms)
   */
  readonly dedupeTtlMs?: number;
  /**
   * How many recent commits each chat keeps for `readChat` (each costs about 120 B of Redis
   * memory per chat); `0` keeps none.
   *
   * @defaultValue 20
   */
  readonly historyLength?: number;
  /**
   * How long a chat that rests in a lifecycle state is kept: state name → ms. A chat rests when
   * its last commit put it in a listed state and it has no pending outbox entries and no timers;
   * then all of its keys (chat, dedupe, outbox, timers, history) expire together after that
   * duration, and the chat is gone (`load` answers `undefined`; a later event starts it afresh
   * at version 1). A commit into a state not listed, or one that adds outbox entries or timers,
   * removes the expiry. `false` or `{}` keeps every chat for good.
   *
   * The expiry runs on the Redis server's clock, even when a `clock` is given.
   *
   * @defaultValue `{ closed: 2_592_000_000 }` (closed chats are kept 30 days)
   */
  readonly retention?: false | Readonly<Record<string, number>>;
}

/** The Redis store: `Store`, `Scheduler` and `RoutingCounters` in one object, plus inspection. */
export interface RedisStore extends Store, Scheduler, RoutingCounters, StoreInspection {
  /** One chat with its recent history, pending outbox entries and timers. */
  readChat(key: { portal: string; chatId: number }): Promise<ChatDetails | undefined>;
  /**
   * Rebuilds the portals' outbox, timer and state indexes from the chats' own records: scans
   * every primary (each master of a Cluster) for this prefix's chat outbox and timer hashes and
   * adds back any ref missing from its portal's index, with the time its record says it may next be
   * claimed (a ref already there is only moved earlier, never later). Run it after a failover
   * that may have lost writes; safe at any time, alongside running workers. Cost: one `SCAN`
   * over each primary's keyspace plus one `HGETALL` per pending chat.
   */
  repairIndexes(): Promise<IndexRepairReport>;
  /**
   * Recomputes operators' busy counts from the chats' holders (each chat hash's `holder` field)
   * and rewrites the counts that differ: of one portal, or of every portal under the prefix.
   * Commits keep the counts exact (a chat and its portal's counts change in one script), so this
   * normally finds nothing; run it after changing keys by hand, or to check. Safe alongside
   * running workers: a portal's counts are rewritten in one script with the chats it read, and a
   * portal whose holders changed since its scan is scanned again. Cost: one `SCAN` of each
   * primary plus one script per portal that reads every chat hash of the portal. With
   * `{ dryRun: true }` it only reports what differs (what `baton inspect --busy` prints).
   */
  repairBusyCounts(portal?: string, options?: BusyRepairOptions): Promise<BusyRepairReport>;
  /** Releases the connection if the store opened it (never a client you passed in). Idempotent. */
  close(): Promise<void>;
  /**
   * Resolves when Redis answers `PING` within the command timeout; otherwise rejects with
   * `REDIS_FAILURE` (`CLOSED` after `close()`). For readiness probes; `engine.ready()` calls it.
   */
  ready(): Promise<void>;
  /**
   * Subscribes to failures of the connection the store opened from `url` (once per outage);
   * `createEngine` subscribes and reports them as `error` events with stage `store`. A client you
   * passed in reports to your own listeners instead. Returns an unsubscribe function.
   */
  onError(listener: (error: unknown) => void): () => void;
}

const storeOptionsSchema = z
  .object({
    ...connectionShape,
    dedupeTtlMs: z
      .number()
      .int()
      .positive()
      .default(7 * 24 * 60 * 60 * 1000),
    historyLength: z.number().int().min(0).max(1000).default(20),
    retention: retentionSchema,
  })
  .refine(exactlyOneConnection, oneConnectionMessage);

/**
 * Creates a store on Redis or Redis Cluster that many workers on many machines share: chats,
 * outbox, durable timers, dedupe ids and routing counters.
 *
 * @example
 * ```ts
 * import { createRedisStore } from '@baton/store-redis';
 *
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix: 'support' });
 * const chat = await store.load({ portal: 'b24-abc', chatId: 42 });
 * await store.close();
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const parsed = parseOptions(storeOptionsSchema, options, 'Redis store options');
  const connection = openConnection({ ...parsed, what: 'store' });
  const keys = createKeySpace(parsed.prefix);
  const portals = createPortalRegistry(connection, keys);
  const work = createWorkSignal(connection, keys, portals);
  const context: StoreContext = {
    connection,
    keys,
    portals,
    work,
    dedupeTtlMs: parsed.dedupeTtlMs,
    historyLength: parsed.historyLength,
    retention: parsed.retention,
    retentionJson: JSON.stringify(Object.fromEntries(parsed.retention)),
  };
  const { commit, load } = createCommitPath(context);
  const { claimEffects, completeEffect, startEffect } = createOutbox(context);
  const { claimDueTimers, completeTimer } = createTimers(context);
  const counters = createRoutingCounters(context);
  const { listChats, readChat, backlog } = createInspection(context);
  const { repairIndexes } = createIndexRepair(context);
  const { repairBusyCounts } = createBusyRepair(context);

  return {
    scope: 'shared',
    load,
    commit,
    claimEffects,
    completeEffect,
    startEffect,
    claimDueTimers,
    completeTimer,
    nextInRotation: counters.nextInRotation,
    readBusy: counters.readBusy,
    listChats,
    readChat,
    backlog,
    repairIndexes,
    repairBusyCounts,
    ready: () => connection.ready(),
    onError: (listener) => connection.onError(listener),
    onWork: work.onWork,
    async close() {
      await work.close();
      await connection.close();
    },
  };
}
