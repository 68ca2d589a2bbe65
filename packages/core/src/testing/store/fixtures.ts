import { expect } from 'vitest';
import type { ChatKey } from '../../chat-key.js';
import type {
  ClaimedEffect,
  ClaimedTimer,
  EffectCall,
  EffectEntry,
  TimerEntry,
} from '../../contracts/effects.js';
import type { Scheduler } from '../../contracts/scheduler.js';
import type { Commit, Store } from '../../contracts/store.js';
import type { SubjectRef } from '../use-subject.js';

/** The subject of the store suite. */
export type StoreSubject = Store & Scheduler;
/** Returns the current test's store and clock. */
export type GetStore = () => SubjectRef<StoreSubject>;

/** Two portals that share a chat id, and a second chat on the first portal. */
export const chatA: ChatKey = { portal: 'conformance-portal-a', chatId: 4242 };
export const chatB: ChatKey = { portal: 'conformance-portal-b', chatId: 4242 };
export const chatA2: ChatKey = { portal: 'conformance-portal-a', chatId: 4243 };

/** Long enough that nothing the suite claims expires unless the suite moves the clock that far. */
export const longLeaseMs = 60_000;

/** A commit with sensible defaults; `extra` overrides any field. */
export function commitFor(
  key: ChatKey,
  expectedVersion: number,
  eventId: string,
  extra: Partial<Omit<Commit, 'key' | 'expectedVersion' | 'eventId'>> = {},
): Commit {
  return {
    key,
    expectedVersion,
    eventId,
    snapshot: { value: 'bot', context: { step: expectedVersion + 1, eventId } },
    summary: { state: 'bot', stateSince: 1_700_000_000_000 + expectedVersion },
    effects: [],
    timersToSet: [],
    timersToCancel: [],
    ...extra,
  };
}

/** An outbox entry for `key`. */
export function effectFor(key: ChatKey, id: string, call?: EffectCall): EffectEntry {
  return { id, key, call: call ?? { kind: 'sendBotMessage', text: `message ${id}` } };
}

/** A timer for `key`. */
export function timerFor(key: ChatKey, id: string, delayMs: number): TimerEntry {
  return { id, key, delayMs };
}

/** Commits and insists that it was committed at `expectedVersion + 1`. */
export async function commitOk(store: Store, commit: Commit): Promise<void> {
  expect(await store.commit(commit)).toEqual({ status: 'committed', version: commit.expectedVersion + 1 });
}

/** Labels of claimed entries, sorted, so that tests compare sets rather than orders. */
export function labels(entries: readonly (ClaimedEffect | ClaimedTimer)[]): string[] {
  return entries.map((entry) => `${entry.key.portal}#${entry.key.chatId}/${entry.id}`).sort();
}

/** The label `labels` gives an entry of `key`. */
export function label(key: ChatKey, id: string): string {
  return `${key.portal}#${key.chatId}/${id}`;
}

/**
 * Claims every outbox entry claimable now. Used as the last look of a test: the claims it makes
 * are not released.
 */
export async function claimAllEffects(store: Store): Promise<ClaimedEffect[]> {
  return store.claimEffects({ limit: 1_000, leaseMs: longLeaseMs });
}

/** Moves the clock `afterMs` ahead and claims every timer due by then. Used as the last look of a test. */
export async function claimAllTimersAfter(
  ref: SubjectRef<StoreSubject>,
  afterMs: number,
): Promise<ClaimedTimer[]> {
  ref.clock.advance(afterMs);
  return ref.subject.claimDueTimers({ limit: 1_000, visibilityMs: longLeaseMs });
}
