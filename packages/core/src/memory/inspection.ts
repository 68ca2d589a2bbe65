import type { ChatKey } from '../chat-key.js';
import { copyKey, type MemoryStoreState } from './store-state.js';

/** Which chats `listChats` returns. Every field narrows the result; none means every chat. */
export interface ChatListFilter {
  /** Only chats in this lifecycle state (`bot`, `transferring`, `awaitingOperator`, …). */
  readonly state?: string;
  /**
   * Only chats that have been in their state for at least this long: `now - stateSince >= olderThanMs`,
   * by the store's clock. Combine with `state` to find, say, chats awaiting an operator for 10 minutes.
   */
  readonly olderThanMs?: number;
  /** Only chats of this portal. */
  readonly portal?: string;
  /**
   * At most this many chats (the longest in their state first).
   * @defaultValue no limit
   */
  readonly limit?: number;
}

/** One chat as `listChats` reports it. */
export interface ChatListing {
  readonly key: ChatKey;
  /** The lifecycle state's name from the chat's last commit. */
  readonly state: string;
  /** When the chat entered that state (ms since epoch). */
  readonly stateSince: number;
  /** The chat's current version. */
  readonly version: number;
}

/** How much work is waiting in a store. */
export interface StoreBacklog {
  /** Outbox entries not yet completed, claimed or not. */
  readonly effects: number;
  /** Timers set and not yet completed or cancelled, due or not. */
  readonly timers: number;
  /** Timers whose due time has passed, claimed or not. A growing number means workers fall behind. */
  readonly dueTimers: number;
}

/**
 * The inspection API that stores offer beside the `Store` contract, for dashboards, alerts and
 * tests. The memory store and the Redis store both implement it.
 */
export interface StoreInspection {
  /**
   * Lists chats matching `filter`, the longest in their state first.
   * @example
   * ```ts
   * const stuck = await store.listChats({ state: 'awaitingOperator', olderThanMs: 600_000 });
   * ```
   */
  listChats(filter?: ChatListFilter): Promise<ChatListing[]>;
  /** Counts outbox entries and timers still waiting. */
  backlog(): Promise<StoreBacklog>;
}

/** Lists chats of a memory store's state. */
export function listChats(
  state: MemoryStoreState,
  filter: {
    state?: string | undefined;
    olderThanMs?: number | undefined;
    portal?: string | undefined;
    limit?: number | undefined;
  },
  now: number,
): ChatListing[] {
  const matches: ChatListing[] = [];
  for (const chat of state.chats.values()) {
    if (filter.state !== undefined && chat.summary.state !== filter.state) continue;
    if (filter.portal !== undefined && chat.key.portal !== filter.portal) continue;
    if (filter.olderThanMs !== undefined && now - chat.summary.stateSince < filter.olderThanMs) continue;
    matches.push({
      key: copyKey(chat.key),
      state: chat.summary.state,
      stateSince: chat.summary.stateSince,
      version: chat.version,
    });
  }
  matches.sort(
    (a, b) =>
      a.stateSince - b.stateSince ||
      (a.key.portal < b.key.portal ? -1 : a.key.portal > b.key.portal ? 1 : 0) ||
      a.key.chatId - b.key.chatId,
  );
  return filter.limit === undefined ? matches : matches.slice(0, filter.limit);
}

/** Counts a memory store's waiting work. */
export function countBacklog(state: MemoryStoreState, now: number): StoreBacklog {
  let dueTimers = 0;
  for (const timer of state.timers.values()) if (timer.dueAt <= now) dueTimers += 1;
  return { effects: state.outbox.size, timers: state.timers.size, dueTimers };
}
