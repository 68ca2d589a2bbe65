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
  /** Hash: snapshot, version, state, stateSince, holder (when one), rest (when it rests, see retention). */
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

/**
 * The indexes of one portal, on the slot of its chats (so that a chat's script changes them with
 * the chat): which outbox entries and timers are claimable when, and which chats are in which
 * state.
 */
export interface PortalIndexKeys {
  /** Sorted set: outbox refs (`encodeRef`) scored by when each may next be claimed. */
  readonly outbox: string;
  /** Sorted set: timer refs scored by when each is due (or its claim expires). */
  readonly timers: string;
  /** Sorted set: one member per chat (`encodeStateMember`), scored by `stateSince`. */
  readonly states: string;
}

/**
 * Builds every key the package uses under one prefix. The prefix is validated to
 * `[A-Za-z0-9_.-]` (no `:` or braces), ids are encoded with `encodeKeyPart`, so two prefixes,
 * portals or chats can never produce the same key.
 */
export interface KeySpace {
  readonly prefix: string;
  chat(key: ChatKey): ChatKeys;
  /** The outbox, timer and state indexes of one portal. */
  indexes(portal: string): PortalIndexKeys;
  /** Set of every portal that has had a commit, so that claims and inspection can find them. */
  readonly portals: string;
  /** Pub/sub channel on which commits announce new outbox entries and timers. */
  readonly workChannel: string;
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

export function createKeySpace(prefix: string): KeySpace {
  // Every event builds its chat's keys: the encoded portal tag is kept (a deployment serves few
  // portals; the cache starts over past 10,000 so that it stays bounded).
  const portalTags = new Map<string, string>();
  const portalTag = (portal: string) => {
    let tag = portalTags.get(portal);
    if (tag === undefined) {
      if (portalTags.size >= 10_000) portalTags.clear();
      tag = `${prefix}:{p:${encodeKeyPart(portal)}}`;
      portalTags.set(portal, tag);
    }
    return tag;
  };
  const chatTag = (key: ChatKey) => `${portalTag(key.portal)}:c:${key.chatId}`;
  return {
    prefix,
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
    indexes(portal) {
      const tag = portalTag(portal);
      return { outbox: `${tag}:outbox-due`, timers: `${tag}:timers-due`, states: `${tag}:states` };
    },
    portals: `${prefix}:portals`,
    workChannel: `${prefix}:work`,
    rotations: (portal) => `${portalTag(portal)}:rotations`,
    busy: (portal) => `${portalTag(portal)}:busy`,
    rateLimit: (portal) => `${prefix}:{r:${encodeKeyPart(portal)}}:bucket`,
    lock: (name) => `${prefix}:{l:${encodeKeyPart(name)}}:lock`,
  };
}

/**
 * A member of a portal's outbox or timer index: `<chatId>:<entry id>`. The chat id is digits, so
 * the first `:` ends it and the id may hold anything.
 */
export function encodeRef(chatId: number, id: string): string {
  return `${chatId}:${id}`;
}

/** Reads an outbox or timer index member back; `undefined` when it is not one of ours. */
export function decodeRef(portal: string, member: string): { key: ChatKey; id: string } | undefined {
  const separator = member.indexOf(':');
  if (separator <= 0) return undefined;
  const chatId = Number(member.slice(0, separator));
  const id = member.slice(separator + 1);
  if (!Number.isSafeInteger(chatId) || chatId <= 0 || id === '') return undefined;
  return { key: { portal, chatId }, id };
}

/** A member of a portal's state index: `<chatId>:<state>`. */
export function encodeStateMember(chatId: number, state: string): string {
  return `${chatId}:${state}`;
}

/** A state index member back as chat id and state; `undefined` when it is not one of ours. */
export function decodeStateMember(member: string): { chatId: number; state: string } | undefined {
  const separator = member.indexOf(':');
  if (separator <= 0) return undefined;
  const chatId = Number(member.slice(0, separator));
  const state = member.slice(separator + 1);
  if (!Number.isSafeInteger(chatId) || chatId <= 0 || state === '') return undefined;
  return { chatId, state };
}
