import { randomUUID } from 'node:crypto';
import type { ClaimedEffect, ClaimedTimer } from '../contracts/effects.js';
import { copyKey, entrySlot, isLeaseActive, type MemoryStoreState } from './store-state.js';

/** Claims outbox entries, oldest first, that nobody holds a live lease on. */
export function claimEffects(
  state: MemoryStoreState,
  options: { limit: number; leaseMs: number },
  now: number,
): ClaimedEffect[] {
  const claimed: ClaimedEffect[] = [];
  for (const record of state.outbox.values()) {
    if (claimed.length >= options.limit) break;
    if (isLeaseActive(record.lease, now)) continue;
    const leaseToken = randomUUID();
    record.attempt += 1;
    record.lease = { token: leaseToken, until: now + options.leaseMs };
    claimed.push({
      id: record.id,
      key: copyKey(record.key),
      call: structuredClone(record.call),
      leaseToken,
      attempt: record.attempt,
      startedBefore: record.started,
    });
  }
  return claimed;
}

/** Removes an outbox entry if `leaseToken` is still its current claim. */
export function completeEffect(
  state: MemoryStoreState,
  effect: { id: string; key: { portal: string; chatId: number }; leaseToken: string },
): boolean {
  const slot = entrySlot(effect.key, effect.id);
  const record = state.outbox.get(slot);
  if (record?.lease === undefined || record.lease.token !== effect.leaseToken) return false;
  state.outbox.delete(slot);
  return true;
}

/** Marks a claimed entry's call started if `leaseToken` is still its current claim. */
export function startEffect(
  state: MemoryStoreState,
  effect: { id: string; key: { portal: string; chatId: number }; leaseToken: string },
): boolean {
  const record = state.outbox.get(entrySlot(effect.key, effect.id));
  if (record?.lease === undefined || record.lease.token !== effect.leaseToken) return false;
  record.started = true;
  return true;
}

/** Claims due timers, earliest first, that nobody holds a live lease on. */
export function claimDueTimers(
  state: MemoryStoreState,
  options: { limit: number; visibilityMs: number },
  now: number,
): ClaimedTimer[] {
  const due = [...state.timers.values()]
    .filter((timer) => timer.dueAt <= now && !isLeaseActive(timer.lease, now))
    .sort((a, b) => a.dueAt - b.dueAt)
    .slice(0, options.limit);
  return due.map((timer) => {
    const leaseToken = randomUUID();
    timer.lease = { token: leaseToken, until: now + options.visibilityMs };
    return { id: timer.id, key: copyKey(timer.key), dueAt: timer.dueAt, leaseToken };
  });
}

/** Removes a fired timer if `leaseToken` is still its current claim (not reclaimed, replaced or cancelled). */
export function completeTimer(
  state: MemoryStoreState,
  timer: { id: string; key: { portal: string; chatId: number }; leaseToken: string },
): boolean {
  const slot = entrySlot(timer.key, timer.id);
  const record = state.timers.get(slot);
  if (record?.lease === undefined || record.lease.token !== timer.leaseToken) return false;
  state.timers.delete(slot);
  return true;
}
