import type { ChatSummary, CommitResult } from '../contracts/store.js';
import type { ParsedCommit } from './store-schemas.js';
import {
  adjustBusy,
  busySlot,
  type ChatRecord,
  chatSlot,
  copyKey,
  entrySlot,
  type MemoryStoreState,
} from './store-state.js';

/**
 * Applies a validated commit: the duplicate check first, then the version check, then the new
 * holder's capacity, then every change at once (the busy counts with the chat). Runs synchronously so that no other operation can interleave.
 */
export function applyCommit(
  state: MemoryStoreState,
  commit: ParsedCommit,
  now: number,
  dedupeTtlMs: number,
): CommitResult {
  const existing = state.chats.get(chatSlot(commit.key));
  if (existing !== undefined) {
    forgetExpiredEvents(existing, now);
    const expiresAt = existing.seenEvents.get(commit.eventId);
    if (expiresAt !== undefined && expiresAt > now) return { status: 'duplicate' };
  }
  const currentVersion = existing?.version ?? 0;
  if (commit.expectedVersion !== currentVersion) return { status: 'conflict', currentVersion };
  const previousHolder = existing?.summary.holder;
  const holder = commit.summary.holder;
  if (holder !== undefined && holder !== previousHolder && commit.maxChats !== undefined) {
    const busy = state.busy.get(busySlot(commit.key.portal, holder)) ?? 0;
    if (busy >= commit.maxChats) return { status: 'atCapacity', operatorId: holder, busy };
  }
  if (holder !== previousHolder) {
    if (previousHolder !== undefined) adjustBusy(state, commit.key.portal, previousHolder, -1);
    if (holder !== undefined) adjustBusy(state, commit.key.portal, holder, 1);
  }

  const summary: ChatSummary = {
    state: commit.summary.state,
    stateSince: commit.summary.stateSince,
    ...(holder === undefined ? {} : { holder }),
  };
  const chat: ChatRecord = existing ?? {
    key: copyKey(commit.key),
    snapshotJson: commit.snapshot,
    version: 0,
    summary,
    seenEvents: new Map(),
  };
  chat.snapshotJson = commit.snapshot;
  chat.summary = summary;
  chat.version = currentVersion + 1;
  // Delete first so that the map stays in expiry order, which pruning relies on.
  chat.seenEvents.delete(commit.eventId);
  chat.seenEvents.set(commit.eventId, now + dedupeTtlMs);
  state.chats.set(chatSlot(commit.key), chat);

  for (const effect of commit.effects) {
    const slot = entrySlot(commit.key, effect.id);
    // A re-recorded id replaces the old entry and moves it to the back of the queue; a worker
    // still holding the old one's lease can no longer complete it.
    state.outbox.delete(slot);
    state.outbox.set(slot, {
      id: effect.id,
      key: copyKey(commit.key),
      call: effect.call,
      attempt: 0,
      started: false,
      lease: undefined,
    });
  }
  // Cancels before sets, so that one commit can restart a timer by cancelling and setting its id.
  for (const id of commit.timersToCancel) state.timers.delete(entrySlot(commit.key, id));
  for (const timer of commit.timersToSet) {
    state.timers.set(entrySlot(commit.key, timer.id), {
      id: timer.id,
      key: copyKey(commit.key),
      dueAt: now + timer.delayMs,
      lease: undefined,
    });
  }
  return { status: 'committed', version: chat.version };
}

/**
 * Records are inserted in expiry order (one TTL, a clock that moves forward), so pruning stops
 * at the first live one and costs only what it removes.
 */
function forgetExpiredEvents(chat: ChatRecord, now: number): void {
  for (const [eventId, expiresAt] of chat.seenEvents) {
    if (expiresAt > now) return;
    chat.seenEvents.delete(eventId);
  }
}
