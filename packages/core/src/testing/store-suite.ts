import { describe } from 'vitest';
import type { Scheduler } from '../contracts/scheduler.js';
import type { Store } from '../contracts/store.js';
import type { ConformanceHarness } from './harness.js';
import { registerCommitRules } from './store/commit-rules.js';
import { registerConcurrencyRules } from './store/concurrency-rules.js';
import { registerDedupeWindowRules } from './store/dedupe-rules.js';
import { registerIsolationRules } from './store/isolation-rules.js';
import { registerOutboxRules } from './store/outbox-rules.js';
import { registerReadOnConflictRules } from './store/read-on-conflict-rules.js';
import { registerTimerRules } from './store/timer-rules.js';
import { useSubject } from './use-subject.js';

/** Options of `storeConformanceSuite`. */
export interface StoreSuiteOptions {
  /**
   * The dedupe window of the stores the harness creates, measured on `context.clock`. When
   * given, the suite also checks that event ids are remembered that long and forgotten after.
   * Leave it out for stores whose records expire on a clock the suite cannot move.
   * @defaultValue undefined (the window is not checked)
   */
  readonly dedupeTtlMs?: number;
  /**
   * Whether the store honours `commit`'s `readOnConflict` (answers the current chat with every
   * conflict). When `false`, the suite only checks that whatever it answers is right.
   * @defaultValue false
   */
  readonly readsOnConflict?: boolean;
}

/**
 * Registers a vitest `describe` block that pins every rule of the `Store` and `Scheduler`
 * contracts: versions and conflicts, duplicate event ids, all-or-nothing commits, the outbox's
 * leases and fencing, timers' due times, replacement, cancellation and visibility, isolation of
 * two portals sharing a chat id, and no lost update under concurrent writers.
 *
 * Each test gets a fresh subject from `harness.create` with a fresh manual clock; the subject
 * must start empty and take its time from `context.clock`. The suite moves that clock instead of
 * sleeping, so it runs fast against real servers too.
 *
 * @example
 * ```ts
 * // test/store.conformance.test.ts of an adapter
 * import { storeConformanceSuite } from '@baton/core/testing';
 * import { createRedisStore } from '../src/index.js';
 *
 * let prefix = 0;
 * storeConformanceSuite('redis store', {
 *   create: async ({ clock }) => createRedisStore({ url: process.env.REDIS_URL, prefix: `t${prefix++}:`, clock }),
 *   destroy: (store) => store.close(),
 * });
 *
 * // The memory store, with its dedupe window checked too:
 * storeConformanceSuite(
 *   'memory store',
 *   { create: async ({ clock }) => createMemoryStore({ clock, dedupeTtlMs: 60_000 }), destroy: (s) => s.close() },
 *   { dedupeTtlMs: 60_000, readsOnConflict: true },
 * );
 * ```
 */
export function storeConformanceSuite<T extends Store & Scheduler>(
  label: string,
  harness: ConformanceHarness<T>,
  options: StoreSuiteOptions = {},
): void {
  describe(`Store and Scheduler conformance: ${label}`, () => {
    const get = useSubject(harness);
    describe('commits', () => registerCommitRules(get));
    describe('outbox', () => registerOutboxRules(get));
    describe('timers', () => registerTimerRules(get));
    describe('tenant isolation', () => registerIsolationRules(get));
    describe('concurrency', () => registerConcurrencyRules(get));
    describe('read on conflict', () => registerReadOnConflictRules(get, options.readsOnConflict === true));
    const { dedupeTtlMs } = options;
    if (dedupeTtlMs !== undefined)
      describe('dedupe window', () => registerDedupeWindowRules(get, dedupeTtlMs));
  });
}
