import type { ChatKey } from '../chat-key.js';
import type { EffectCall } from '../contracts/effects.js';
import type { ChatSummary } from '../contracts/store.js';

/** A claim on an outbox entry or a timer: who holds it and until when (store time). */
export interface Lease {
  readonly token: string;
  readonly until: number;
}

/** One chat as the memory store keeps it. */
export interface ChatRecord {
  readonly key: ChatKey;
  snapshotJson: string;
  version: number;
  summary: ChatSummary;
  /** Event id → when the dedupe record expires (store time). */
  readonly seenEvents: Map<string, number>;
}

/** One outbox entry with its claim state. */
export interface OutboxRecord {
  readonly id: string;
  readonly key: ChatKey;
  readonly call: EffectCall;
  attempt: number;
  /** Whether a claim marked the call started (`startEffect`). */
  started: boolean;
  lease: Lease | undefined;
}

/** One durable timer with its claim state. */
export interface TimerRecord {
  readonly id: string;
  readonly key: ChatKey;
  readonly dueAt: number;
  lease: Lease | undefined;
}

/** Everything one memory store holds. Plain maps; every operation runs without awaiting, so atomically. */
export interface MemoryStoreState {
  /** By `chatSlot`. */
  readonly chats: Map<string, ChatRecord>;
  /** By `entrySlot`; insertion order is claim order (oldest first). */
  readonly outbox: Map<string, OutboxRecord>;
  /** By `entrySlot`. */
  readonly timers: Map<string, TimerRecord>;
  /** By `JSON.stringify([portal, rotation])`. */
  readonly rotations: Map<string, number>;
  /** By `JSON.stringify([portal, operatorId])`. */
  readonly busy: Map<string, number>;
}

/** Creates an empty state. */
export function createMemoryStoreState(): MemoryStoreState {
  return { chats: new Map(), outbox: new Map(), timers: new Map(), rotations: new Map(), busy: new Map() };
}

// JSON arrays rather than joined strings: a portal name may contain any separator.

/** The map key of a chat. */
export function chatSlot(key: ChatKey): string {
  return JSON.stringify([key.portal, key.chatId]);
}

/** The map key of a chat's outbox entry or timer: ids are scoped per chat. */
export function entrySlot(key: ChatKey, id: string): string {
  return JSON.stringify([key.portal, key.chatId, id]);
}

/** Whether a lease still keeps others out at `now`. */
export function isLeaseActive(lease: Lease | undefined, now: number): boolean {
  return lease !== undefined && lease.until > now;
}

/** A copy of a chat key, so that callers never hold the store's own objects. */
export function copyKey(key: ChatKey): ChatKey {
  return { portal: key.portal, chatId: key.chatId };
}

/** The map key of an operator's busy count. */
export function busySlot(portal: string, operatorId: number): string {
  return JSON.stringify([portal, operatorId]);
}

/** Adds `delta` to an operator's busy count, never below 0; a zero count is dropped (it reads as 0). */
export function adjustBusy(state: MemoryStoreState, portal: string, operatorId: number, delta: number): void {
  const slot = busySlot(portal, operatorId);
  const count = Math.max(0, (state.busy.get(slot) ?? 0) + delta);
  if (count === 0) state.busy.delete(slot);
  else state.busy.set(slot, count);
}
