import type { ChatKey } from '@baton/core';
import { Cluster, type Redis } from 'ioredis';
import { guarded, type StoreContext } from './context.js';
import { RedisStoreError } from './errors.js';
import { encodeRef } from './keys.js';
import { replyArray, replyNumber } from './scripts/index.js';

/** What `repairIndexes` found and did. */
export interface IndexRepairReport {
  /** Chat outbox and timer hashes scanned. */
  readonly records: number;
  /** Outbox refs that were missing from their shard index and were added back. */
  readonly effects: number;
  /** Timer refs that were missing from their shard index and were added back. */
  readonly timers: number;
  /** Refs that were present but later than their record says, moved earlier. */
  readonly movedEarlier: number;
}

const scanCount = 500;

/**
 * Rebuilds the shard indexes from the chats' own records: scans every primary for this
 * prefix's outbox and timer hashes and puts back any ref its shard index lacks (e.g. lost in a
 * failover), with the time the record says it may next be claimed.
 */
export function createIndexRepair(context: StoreContext) {
  const { connection, keys } = context;
  const client = connection.client;

  async function repairIndexes(): Promise<IndexRepairReport> {
    connection.assertOpen('repairIndexes');
    return guarded('repairIndexes', async () => {
      const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
      const totals = { records: 0, effects: 0, timers: 0, movedEarlier: 0 };
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
      }
      return totals;
    });
  }

  /** Reads the records of a page of chats and repairs their refs, shard by shard. */
  async function repairPage(index: 'outbox' | 'timers', chats: readonly ChatKey[]) {
    const perShard = new Map<number, (string | number)[]>();
    await Promise.all(
      chats.map(async (chat) => {
        const records = await client.hgetall(keys.chat(chat)[index]);
        const pairs = perShard.get(keys.shardOf(chat)) ?? [];
        perShard.set(keys.shardOf(chat), pairs);
        for (const [id, raw] of Object.entries(records)) {
          pairs.push(encodeRef(chat, id), recordScore(chat, index, raw));
        }
      }),
    );
    let added = 0;
    let moved = 0;
    for (const [shard, pairs] of perShard) {
      if (pairs.length === 0) continue;
      const reply = replyArray(
        await connection.run('batonIndexRepair', [keys.shard(shard)[index]], pairs),
        'batonIndexRepair',
      );
      added += replyNumber(reply[0], 'batonIndexRepair');
      moved += replyNumber(reply[1], 'batonIndexRepair');
    }
    return { added, moved };
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
