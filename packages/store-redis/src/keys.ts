import type { ChatKey } from '@baton/core';

/**
 * Encodes an id so that it can sit inside a key: every character outside `[A-Za-z0-9_.-]`
 * becomes `%XX` (UTF-8 bytes). The result never contains `:`, `{`, `}` or `%` unescaped, so no
 * portal, chat id or name can end a hash tag early or pose as another key's segment.
 */
export function encodeKeyPart(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*~]/g, (character) => {
    return `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  });
}

/**
 * The keys of one chat: `<prefix>:{p:<portal>}:c:<chatId>:<name>`. They share their portal's hash
 * tag, so one Cluster slot holds a portal's chats with its busy counts (one script changes both).
 */
export interface ChatKeys {
  /** Hash: snapshot, version, state, stateSince, holder (when one), createdAt, updatedAt. */
  readonly chat: string;
  /** Sorted set of seen event ids, scored by when each record expires. */
  readonly dedupe: string;
  /** Hash: outbox entry id → JSON record (call, lease, attempt). The outbox's truth. */
  readonly outbox: string;
  /** Hash: timer id → JSON record (due time, lease). The timers' truth. */
  readonly timers: string;
  /** List: the most recent commits, newest first, for inspection. */
  readonly history: string;
}

/** The keys of one shard of the outbox and timer indexes. Both share the tag `{s:<n>}`. */
export interface ShardKeys {
  /** Sorted set: outbox entry refs scored by when they may next be claimed. */
  readonly outbox: string;
  /** Sorted set: timer refs scored by when they are due (or their claim expires). */
  readonly timers: string;
}

/**
 * Builds every key the package uses under one prefix. The prefix is validated to
 * `[A-Za-z0-9_.-]` (no `:` or braces), ids are encoded with `encodeKeyPart`, so two prefixes,
 * portals or chats can never produce the same key.
 */
export interface KeySpace {
  readonly prefix: string;
  readonly shards: number;
  chat(key: ChatKey): ChatKeys;
  shard(index: number): ShardKeys;
  /** The shard that indexes a chat's outbox entries and timers. */
  shardOf(key: ChatKey): number;
  /** Sorted set of chats in one lifecycle state, scored by `stateSince` (an inspection hint). */
  stateIndex(state: string): string;
  /** Set of every state name seen, so that inspection can list all chats. */
  readonly states: string;
  /** Hash: rotation name → next position, for one portal. */
  rotations(portal: string): string;
  /**
   * Hash: operator id → busy count, for one portal (on the slot of the portal's chats), and an
   * `epoch` field that counts the commits which changed a holder (a repair's consistency check).
   */
  busy(portal: string): string;
  /** The rate-limit bucket of one portal. */
  rateLimit(portal: string): string;
  /** One named lock. */
  lock(name: string): string;
}

export function createKeySpace(prefix: string, shards: number): KeySpace {
  const portalTag = (portal: string) => `${prefix}:{p:${encodeKeyPart(portal)}}`;
  const chatTag = (key: ChatKey) => `${portalTag(key.portal)}:c:${key.chatId}`;
  return {
    prefix,
    shards,
    chat(key) {
      const tag = chatTag(key);
      return {
        chat: `${tag}:chat`,
        dedupe: `${tag}:dedupe`,
        outbox: `${tag}:outbox`,
        timers: `${tag}:timers`,
        history: `${tag}:history`,
      };
    },
    shard(index) {
      const tag = `${prefix}:{s:${index}}`;
      return { outbox: `${tag}:outbox`, timers: `${tag}:timers` };
    },
    shardOf(key) {
      return fnv1a(`${key.portal}\u0000${key.chatId}`) % shards;
    },
    stateIndex: (state) => `${prefix}:{i}:state:${encodeKeyPart(state)}`,
    states: `${prefix}:{i}:states`,
    rotations: (portal) => `${portalTag(portal)}:rotations`,
    busy: (portal) => `${portalTag(portal)}:busy`,
    rateLimit: (portal) => `${prefix}:{r:${encodeKeyPart(portal)}}:bucket`,
    lock: (name) => `${prefix}:{l:${encodeKeyPart(name)}}:lock`,
  };
}

/**
 * A member of a shard index: names the chat and the entry, so that a claim can find the chat's
 * own record. JSON keeps it unambiguous for any portal or id.
 */
export function encodeRef(key: ChatKey, id: string): string {
  return JSON.stringify([key.portal, key.chatId, id]);
}

/** A member of a state index: names the chat (JSON, unambiguous for any portal). */
export function encodeStateMember(key: ChatKey): string {
  return JSON.stringify([key.portal, key.chatId]);
}

/** A state index member back as a chat key; `undefined` when it is not one of ours. */
export function decodeStateMember(member: string): ChatKey | undefined {
  try {
    const value: unknown = JSON.parse(member);
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [portal, chatId] = value as unknown[];
    if (typeof portal !== 'string' || typeof chatId !== 'number') return undefined;
    return { portal, chatId };
  } catch {
    return undefined;
  }
}

/** Reads a shard index member back; `undefined` when it is not one of ours. */
export function decodeRef(member: string): { key: ChatKey; id: string } | undefined {
  try {
    const value: unknown = JSON.parse(member);
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [portal, chatId, id] = value as unknown[];
    if (typeof portal !== 'string' || typeof chatId !== 'number' || typeof id !== 'string') {
      return undefined;
    }
    return { key: { portal, chatId }, id };
  } catch {
    return undefined;
  }
}

/** 32-bit FNV-1a: a stable, well-spread shard choice that every worker computes alike. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
