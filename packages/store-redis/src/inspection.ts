import type { ChatKey } from '@baton/core';
import type { StoredChat } from '@baton/core/adapter';
import {
  type ChatListFilter,
  type ChatListing,
  portalIdSchema,
  type StoreBacklog,
} from '@baton/core/adapter';
import { z } from 'zod';
import { decodeChat } from './commit.js';
import { parseChatKey } from './commit-input.js';
import { guarded, type StoreContext } from './context.js';
import { parseInput } from './errors.js';
import { decodeStateMember } from './keys.js';

/** One commit in a chat's recent history. */
export interface HistoryEntry {
  readonly version: number;
  readonly eventId: string;
  readonly state: string;
  /** Store time of the commit (ms since epoch). */
  readonly at: number;
  /** The event's type (`message`, `transfer.request`, `effect.result`, …), when the engine said. */
  readonly eventType?: string;
  /** Why the chat changed: a failure's code and message, a request's reason, … (at most 300 characters). */
  readonly reason?: string;
}

/** Everything the store knows about one chat. */
export interface ChatDetails extends StoredChat {
  readonly key: ChatKey;
  /** The most recent commits, newest first. */
  readonly history: readonly HistoryEntry[];
  /** Pending outbox entries: id, call kind, how often claimed, and whether a lease holds it now. */
  readonly effects: readonly { id: string; kind: string; attempt: number; leasedUntil: number }[];
  /** Pending timers: id and due time. */
  readonly timers: readonly { id: string; dueAt: number }[];
}

const filterSchema = z.object({
  state: z.string().min(1).max(255).optional(),
  olderThanMs: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  portal: portalIdSchema.optional(),
  limit: z.number().int().positive().max(100_000).optional(),
});

const pageSize = 200;

/**
 * Views for operators and dashboards. Listing reads each portal's state index and checks every
 * candidate against the chat's own record, so a stale index entry never shows; entries of chats
 * that expired (retention) or left that state are removed on the way.
 */
export function createInspection(context: StoreContext) {
  const { connection, keys } = context;
  const client = connection.client;

  async function listChats(filter: ChatListFilter = {}): Promise<ChatListing[]> {
    const options = parseInput(filterSchema, filter, 'chat filter');
    connection.assertOpen('listChats');
    return guarded('listChats', async () => {
      const cutoff =
        options.olderThanMs === undefined ? '+inf' : (await connection.now()) - options.olderThanMs;
      const portals = options.portal === undefined ? await context.portals.list() : [options.portal];
      const found: ChatListing[] = [];
      for (const portal of portals) found.push(...(await listPortal(portal, options.state, cutoff)));
      // The longest in their state first, as the memory store lists them.
      found.sort((a, b) => a.stateSince - b.stateSince);
      return options.limit === undefined ? found : found.slice(0, options.limit);
    });
  }

  /** One portal's chats in `state` (any when undefined) since no later than `cutoff`. */
  async function listPortal(portal: string, state: string | undefined, cutoff: number | '+inf') {
    const indexKey = keys.indexes(portal).states;
    const found: ChatListing[] = [];
    const stale: (string | number)[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const page = await client.zrangebyscore(
        indexKey,
        '-inf',
        cutoff,
        'WITHSCORES',
        'LIMIT',
        offset,
        pageSize,
      );
      const entries: { member: string; score: string; key: ChatKey; state: string }[] = [];
      for (let at = 0; at + 1 < page.length; at += 2) {
        const member = page[at] as string;
        const decoded = decodeStateMember(member);
        if (decoded === undefined || (state !== undefined && decoded.state !== state)) continue;
        const key = { portal, chatId: decoded.chatId };
        entries.push({ member, score: page[at + 1] as string, key, state: decoded.state });
      }
      const chats = await Promise.all(entries.map((entry) => readSummary(entry.key)));
      chats.forEach((chat, at) => {
        const entry = entries[at] as (typeof entries)[number];
        // The chat expired (retention) or moved on to another state: the entry is stale.
        if (chat === undefined || chat.state !== entry.state) {
          stale.push(entry.member, entry.score, -1);
          return;
        }
        if (cutoff !== '+inf' && chat.stateSince > cutoff) return;
        found.push(chat);
      });
      if (page.length < pageSize * 2) break;
    }
    // Removed after paging (so no page shifts under the loop), and only where the entry still
    // has the score read here: a commit that re-indexed the chat meanwhile keeps its entry.
    if (stale.length > 0) await connection.run('batonIndexFix', [indexKey], stale).catch(() => undefined);
    return found;
  }

  async function readSummary(key: ChatKey): Promise<ChatListing | undefined> {
    const [version, state, stateSince] = await client.hmget(
      keys.chat(key).chat,
      'version',
      'state',
      'stateSince',
    );
    if (version == null || state == null) return undefined;
    return { key, state, stateSince: Number(stateSince), version: Number(version) };
  }

  async function readChat(input: ChatKey): Promise<ChatDetails | undefined> {
    const key = parseChatKey(input);
    connection.assertOpen('readChat');
    return guarded('readChat', async () => {
      const chatKeys = keys.chat(key);
      // One transaction on the chat's slot: a chat expiring (retention) is seen whole or not at all.
      const replies = await client
        .multi()
        .hmget(chatKeys.chat, 'snapshot', 'version', 'state', 'stateSince', 'holder')
        .lrange(chatKeys.history, 0, -1)
        .hgetall(chatKeys.outbox)
        .hgetall(chatKeys.timers)
        .exec();
      const [fields, history, outbox, timers] = (replies ?? []).map(([error, value]) => {
        if (error) throw error;
        return value;
      }) as [(string | null)[], string[], Record<string, string>, Record<string, string>];
      if (fields === undefined) return undefined;
      const chat = decodeChat(key, fields);
      if (chat === undefined) return undefined;
      return {
        ...chat,
        key,
        history: history.map((entry) => JSON.parse(entry) as HistoryEntry),
        effects: Object.entries(outbox).map(([id, raw]) => {
          const record = JSON.parse(raw) as { call: string; attempt: number; until: number };
          const call = JSON.parse(record.call) as { kind: string };
          return { id, kind: call.kind, attempt: record.attempt, leasedUntil: record.until };
        }),
        timers: Object.entries(timers).map(([id, raw]) => ({
          id,
          dueAt: (JSON.parse(raw) as { due: number }).due,
        })),
      };
    });
  }

  async function backlog(): Promise<StoreBacklog> {
    connection.assertOpen('backlog');
    return guarded('backlog', async () => {
      const now = await connection.now();
      const portals = await context.portals.list();
      const perPortal = await Promise.all(
        portals.map(async (portal) => {
          const indexes = keys.indexes(portal);
          const [effects, timers, due] = await Promise.all([
            client.zcard(indexes.outbox),
            client.zcard(indexes.timers),
            client.zcount(indexes.timers, '-inf', now),
          ]);
          return { effects, timers, due };
        }),
      );
      return perPortal.reduce(
        (total, portal) => ({
          effects: total.effects + portal.effects,
          timers: total.timers + portal.timers,
          dueTimers: total.dueTimers + portal.due,
        }),
        { effects: 0, timers: 0, dueTimers: 0 },
      );
    });
  }

  return { listChats, readChat, backlog };
}
