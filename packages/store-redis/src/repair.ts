import type { ChatKey } from '@baton/core';
import { Cluster, type Redis } from 'ioredis';
import { guarded, type StoreContext } from './context.js';
import { RedisStoreError } from './errors.js';
import { encodeRef, encodeStateMember } from './keys.js';
import { replyArray, replyNumber } from './scripts/index.js';

/** What `repairIndexes` found and did. */
export interface IndexRepairReport {
  /** Chat outbox and timer hashes scanned. */
  readonly records: number;
  /** Outbox refs that were missing from their portal's index and were added back. */
  readonly effects: number;
  /** Timer refs that were missing from their portal's index and were added back. */
  readonly timers: number;
  /** Refs that were present but later than their record says, moved earlier. */
  readonly movedEarlier: number;
  /** Chat hashes scanned for the state indexes. */
  readonly chats: number;
  /**
   * Chats added back to the state index of the state their record holds (or whose entry there
   * had another `stateSince`), e.g. after a worker died between a commit and its index update.
   */
  readonly stateEntries: number;
}

const scanCount = 500;

/**
 * Rebuilds the portals' indexes from the chats' own records: scans every primary for this
 * prefix's outbox and timer hashes and puts back any ref its portal's index lacks (e.g. lost in a
 * failover), with the time the record says it may next be claimed. Then puts every chat into its
 * portal's state index under the state its record holds (the inspection listing; entries left
 * under a former state are dropped when read), and every portal seen into the portal set.
 */
export function createIndexRepair(context: StoreContext) {
  const { connection, keys } = context;
  const client = connection.client;

  async function repairIndexes(): Promise<IndexRepairReport> {
    connection.assertOpen('repairIndexes');
    return guarded('repairIndexes', async () => {
      const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
      const totals = { records: 0, effects: 0, timers: 0, movedEarlier: 0, chats: 0, stateEntries: 0 };
      for (const node of nodes) {
        for (const index of ['outbox', 'timers'] as const) {
          let cursor = '0';
          do {
            const [next, found] = await node.scan(
              cursor,
              'MATCH',
              `${keys.prefix}:{p:*}:c:*:${index}`,
              'COUNT',
              scanCount,
            );
            cursor = next;
            const chats = found.flatMap((key) => {
              const chat = chatOfRecordKey(keys.prefix, index, key);
              return chat === undefined ? [] : [chat];
            });
            totals.records += chats.length;
            const report = await repairPage(index, chats);
            totals[index === 'outbox' ? 'effects' : 'timers'] += report.added;
            totals.movedEarlier += report.moved;
          } while (cursor !== '0');
        }
        let cursor = '0';
        do {
          const [next, found] = await node.scan(
            cursor,
            'MATCH',
            `${keys.prefix}:{p:*}:c:*:chat`,
            'COUNT',
            scanCount,
          );
          cursor = next;
          const chats = found.flatMap((key) => {
            const chat = chatOfRecordKey(keys.prefix, 'chat', key);
            return chat === undefined ? [] : [chat];
          });
          totals.chats += chats.length;
          totals.stateEntries += await repairStatePage(chats);
        } while (cursor !== '0');
      }
      return totals;
    });
  }

  /** Reads the records of a page of chats and repairs their refs, portal by portal. */
  async function repairPage(index: 'outbox' | 'timers', chats: readonly ChatKey[]) {
    const perPortal = new Map<string, (string | number)[]>();
    await Promise.all(
      chats.map(async (chat) => {
        const records = await client.hgetall(keys.chat(chat)[index]);
        const pairs = perPortal.get(chat.portal) ?? [];
        perPortal.set(chat.portal, pairs);
        for (const [id, raw] of Object.entries(records)) {
          pairs.push(encodeRef(chat.chatId, id), recordScore(chat, index, raw));
        }
      }),
    );
    let added = 0;
    let moved = 0;
    for (const [portal, pairs] of perPortal) {
      if (pairs.length === 0) continue;
      await client.sadd(keys.portals, portal);
      const reply = replyArray(
        await connection.run('batonIndexRepair', [keys.indexes(portal)[index]], pairs),
        'batonIndexRepair',
      );
      added += replyNumber(reply[0], 'batonIndexRepair');
      moved += replyNumber(reply[1], 'batonIndexRepair');
    }
    return { added, moved };
  }

  /** Puts a page of chats into the state index their records name; returns how many changed. */
  async function repairStatePage(chats: readonly ChatKey[]): Promise<number> {
    const portals = [...new Set(chats.map((chat) => chat.portal))];
    if (portals.length > 0) await client.sadd(keys.portals, ...portals);
    const changes = await Promise.all(
      chats.map(async (chat) => {
        const [state, since] = await client.hmget(keys.chat(chat).chat, 'state', 'stateSince');
        if (state == null || since == null) return 0;
        const changed = await client.zadd(
          keys.indexes(chat.portal).states,
          'CH',
          Number(since),
          encodeStateMember(chat.chatId, state),
        );
        return Number(changed);
      }),
    );
    return changes.reduce((sum, changed) => sum + changed, 0);
  }

  return { repairIndexes };
}

/**
 * The chat a record hash key belongs to: `<prefix>:{p:<encoded portal>}:c:<chatId>:<index>`;
 * `undefined` for anything else under the pattern.
 */
export function chatOfRecordKey(prefix: string, index: string, key: string): ChatKey | undefined {
  const head = `${prefix}:{p:`;
  const tail = `:${index}`;
  if (!key.startsWith(head) || !key.endsWith(tail)) return undefined;
  const inner = key.slice(head.length, key.length - tail.length);
  const separator = inner.indexOf('}:c:');
  if (separator <= 0) return undefined;
  const chatId = Number(inner.slice(separator + 4));
  if (!Number.isSafeInteger(chatId)) return undefined;
  try {
    return { portal: decodeURIComponent(inner.slice(0, separator)), chatId };
  } catch {
    return undefined;
  }
}

/** When a record may next be claimed, as the commit script scores it. */
function recordScore(chat: ChatKey, index: 'outbox' | 'timers', raw: string): number {
  try {
    const record = JSON.parse(raw) as { at?: unknown; due?: unknown; until?: unknown };
    const start = index === 'outbox' ? record.at : record.due;
    if (typeof start !== 'number' || typeof record.until !== 'number') throw new Error('missing times');
    return Math.max(start, record.until);
  } catch (cause) {
    throw new RedisStoreError('CORRUPT_RECORD', `A chat's ${index} record cannot be read`, {
      context: { portal: chat.portal, chatId: chat.chatId, operation: 'repairIndexes' },
      cause,
    });
  }
}
