import { z } from 'zod';
import { type ChatKey, chatKeySchema, portalIdSchema } from '../chat-key.js';
import { type Clock, systemClock } from '../contracts/clock.js';
import { commitOptionsSchema } from '../contracts/commit-schema.js';
import type { BusyRepairReport, RoutingCounters } from '../contracts/routing-counters.js';
import type { Scheduler } from '../contracts/scheduler.js';
import type { Store, StoredChat } from '../contracts/store.js';
import { clockSchema, createClosedGuard, parseInput, positiveDurationMsSchema } from './input.js';
import { type ChatListFilter, countBacklog, listChats, type StoreInspection } from './inspection.js';
import { createRoutingCounterMethods, repairBusyCounts } from './routing-counters.js';
import { applyCommit } from './store-commit.js';
import { claimDueTimers, claimEffects, completeEffect, completeTimer, startEffect } from './store-queues.js';
import {
  chatListFilterSchema,
  claimEffectsOptionsSchema,
  claimTimersOptionsSchema,
  commitSchema,
  completionSchema,
} from './store-schemas.js';
import { chatSlot, createMemoryStoreState } from './store-state.js';

/** Seven days: far longer than any platform retries an event. */
const defaultDedupeTtlMs = 7 * 24 * 60 * 60 * 1000;

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * The store's time source: timer due times, lease expiry and dedupe expiry are measured on it.
   * Pass a manual clock in tests.
   * @defaultValue `systemClock` (`Date.now`)
   */
  readonly clock?: Clock;
  /**
   * How long an event id is remembered for dedupe after the commit that recorded it.
   * @defaultValue `604_800_000` (7 days)
   */
  readonly dedupeTtlMs?: number;
}

/**
 * The in-memory store: `Store`, `Scheduler` and `RoutingCounters` in one object, plus the
 * inspection API. It is the reference implementation every other store is measured against.
 */
export interface MemoryStore extends Store, Scheduler, RoutingCounters, StoreInspection {
  /**
   * Recomputes operators' busy counts from the chats' holders (`summary.holder`), of one portal
   * or of every portal, and rewrites the counts that differ. Commits keep the counts exact, so
   * this finds nothing to change unless something outside the store's API changed them.
   */
  repairBusyCounts(portal?: string): Promise<BusyRepairReport>;
  /** Marks the store closed; later calls reject with `STORE_FAILURE`. Idempotent. */
  close(): Promise<void>;
}

const optionsSchema = z
  .object({ clock: clockSchema.optional(), dedupeTtlMs: positiveDurationMsSchema.optional() })
  .default({});

/**
 * Creates a store that keeps everything in this process's memory: the default for one process,
 * for tests and for the demo. Everything is lost when the process exits; use
 * `@baton/store-redis` to share chats between workers or survive restarts.
 *
 * Every operation is atomic (it never awaits half-way), inputs are validated (bad input rejects
 * with `BatonError` code `INVALID_INPUT` and changes nothing), and results are copies.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from '@baton/core';
 *
 * const store = createMemoryStore();
 * const result = await store.commit({
 *   key: { portal: 'a1b2c3', chatId: 42 },
 *   expectedVersion: 0,
 *   snapshot: { value: 'bot' },
 *   summary: { state: 'bot', stateSince: Date.now() },
 *   eventId: 'message-1',
 *   effects: [],
 *   timersToSet: [],
 *   timersToCancel: [],
 * });
 * // result: { status: 'committed', version: 1 }
 * ```
 */
export function createMemoryStore(options?: MemoryStoreOptions): MemoryStore {
  const parsed = parseInput(optionsSchema, options, 'memory store options');
  const clock = parsed.clock ?? systemClock;
  const dedupeTtlMs = parsed.dedupeTtlMs ?? defaultDedupeTtlMs;
  const state = createMemoryStoreState();
  const guard = createClosedGuard('memory store');

  /** A copy of one chat's record, as `load` answers it. */
  function readChat(key: ChatKey): StoredChat | undefined {
    const chat = state.chats.get(chatSlot(key));
    if (chat === undefined) return undefined;
    return {
      snapshot: JSON.parse(chat.snapshotJson) as unknown,
      version: chat.version,
      summary: { ...chat.summary },
    };
  }

  return {
    scope: 'process',
    async load(key: ChatKey): Promise<StoredChat | undefined> {
      guard.assertOpen();
      return readChat(parseInput(chatKeySchema, key, 'chat key'));
    },

    async commit(commit, commitOptions) {
      guard.assertOpen();
      const parsed = parseInput(commitSchema, commit, 'commit');
      const readOnConflict = parseInput(commitOptionsSchema, commitOptions, 'commit options')?.readOnConflict;
      const result = applyCommit(state, parsed, clock.now(), dedupeTtlMs);
      // Read in the same synchronous step as the version check: nothing can interleave.
      if (result.status !== 'conflict' || readOnConflict !== true) return result;
      return { ...result, current: readChat(parsed.key) ?? null };
    },

    async claimEffects(claimOptions) {
      guard.assertOpen();
      const valid = parseInput(claimEffectsOptionsSchema, claimOptions, 'claimEffects options');
      return claimEffects(state, valid, clock.now());
    },

    async completeEffect(effect) {
      guard.assertOpen();
      return completeEffect(state, parseInput(completionSchema, effect, 'effect completion'));
    },

    async startEffect(effect) {
      guard.assertOpen();
      return startEffect(state, parseInput(completionSchema, effect, 'effect start'));
    },

    async claimDueTimers(claimOptions) {
      guard.assertOpen();
      const valid = parseInput(claimTimersOptionsSchema, claimOptions, 'claimDueTimers options');
      return claimDueTimers(state, valid, clock.now());
    },

    async completeTimer(timer) {
      guard.assertOpen();
      return completeTimer(state, parseInput(completionSchema, timer, 'timer completion'));
    },

    ...createRoutingCounterMethods(state, guard.assertOpen),

    async listChats(filter?: ChatListFilter) {
      guard.assertOpen();
      return listChats(state, parseInput(chatListFilterSchema, filter, 'listChats filter'), clock.now());
    },

    async repairBusyCounts(portal?: string) {
      guard.assertOpen();
      const valid = portal === undefined ? undefined : parseInput(portalIdSchema, portal, 'portal');
      return repairBusyCounts(state, valid);
    },

    async backlog() {
      guard.assertOpen();
      return countBacklog(state, clock.now());
    },

    async close() {
      guard.close();
    },
  };
}
