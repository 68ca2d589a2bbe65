import type { ChatKey } from '../chat-key.js';
import type { ChatSummary } from '../contracts/store.js';
import type { LifecycleSnapshot } from '../machine/snapshot.js';

/** What a worker remembers of a chat it committed: enough to apply the next event without a `load`. */
export interface CachedChat {
  /** The version the store gave the commit: the next commit expects it. */
  readonly version: number;
  /** The snapshot as committed (already migrated and validated; XState never changes it in place). */
  readonly snapshot: LifecycleSnapshot;
  readonly summary: ChatSummary;
}

/**
 * The chats this worker last committed, least recently used first out, at most `capacity`, each
 * for at most `maxAgeMs`. A hint only: every commit names the version it read, so a copy that
 * another worker's commit made stale costs a conflict and a retry, never a wrong write.
 *
 * The age limit covers the one case a version cannot tell: a chat whose records vanished (a
 * store's retention, a lost Redis) and that other workers rebuilt up to the very version cached
 * here. It cannot happen within `maxAgeMs` of the commit as long as records outlive that.
 */
export interface ChatCache {
  get(key: ChatKey): CachedChat | undefined;
  /** Remembers `chat` unless a newer version of it is already cached. */
  put(key: ChatKey, chat: CachedChat): void;
  /**
   * Forgets the chat; with `upToVersion`, only a copy at that version or older (a sibling
   * dispatch of this worker may have cached a newer one meanwhile).
   */
  forget(key: ChatKey, upToVersion?: number): void;
  /** How many chats are cached now. */
  readonly size: number;
}

interface Entry {
  readonly chat: CachedChat;
  readonly cachedAt: number;
}

/** The default number of chats a worker caches. */
export const defaultChatCacheSize = 10_000;
/** How long a cached copy is used before the chat is read again. */
export const chatCacheMaxAgeMs = 10_000;

/**
 * Creates a worker's chat cache. `now` is a monotonic-enough wall clock (ms), not the engine's
 * clock: a test's manual clock must not keep copies alive, nor age them, at will.
 * `capacity` 0 caches nothing.
 */
export function createChatCache(capacity: number, maxAgeMs: number, now: () => number): ChatCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();
  const id = (key: ChatKey) => `${key.portal}\u0000${key.chatId}`;
  return {
    get(key) {
      const name = id(key);
      const entry = entries.get(name);
      if (entry === undefined) return undefined;
      entries.delete(name);
      if (now() - entry.cachedAt > maxAgeMs) return undefined;
      entries.set(name, entry);
      return entry.chat;
    },
    put(key, chat) {
      if (capacity === 0) return;
      const name = id(key);
      const cached = entries.get(name);
      if (cached !== undefined && cached.chat.version >= chat.version) return;
      entries.delete(name);
      entries.set(name, { chat, cachedAt: now() });
      if (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    forget(key, upToVersion) {
      const name = id(key);
      const cached = entries.get(name);
      if (cached === undefined) return;
      if (upToVersion === undefined || cached.chat.version <= upToVersion) entries.delete(name);
    },
    get size() {
      return entries.size;
    },
  };
}
