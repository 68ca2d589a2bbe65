import type { BusyCorrection, BusyRepairReport } from '@baton/core/adapter';
import { portalIdSchema } from '@baton/core/adapter';
import { Cluster, type Redis } from 'ioredis';
import { z } from 'zod';
import { guarded, type StoreContext } from './context.js';
import { parseInput, RedisStoreError } from './errors.js';
import { encodeKeyPart } from './keys.js';
import { chatOfRecordKey } from './repair.js';
import { busyRepairLua } from './scripts/counters.js';
import { replyArray, replyNumber, replyString } from './scripts/index.js';

const scanCount = 500;
const optionsSchema = z.object({ dryRun: z.boolean().optional() }).strict();

/** Options of `repairBusyCounts`. */
export interface BusyRepairOptions {
  /** Report the counts that differ from the chats, and change nothing. @defaultValue `false` */
  readonly dryRun?: boolean;
}
/** A portal whose holders change during every attempt is left for the next run. */
const maxAttempts = 5;

/**
 * Recomputes busy counts from the chats' holders. A portal's chats and its busy hash share one
 * slot, so one script reads every chat the scan found and rewrites the counts atomically; the
 * busy hash's `epoch` (bumped by every commit that changes a holder) tells whether a chat the
 * scan could have missed changed meanwhile, and the portal is then scanned again.
 */
export function createBusyRepair(context: StoreContext) {
  const { connection, keys } = context;
  const client = connection.client;
  const nodes = (): Redis[] => (client instanceof Cluster ? client.nodes('master') : [client]);

  /** Every key matching `pattern` on every primary. */
  async function scanAll(pattern: string): Promise<string[]> {
    const found: string[] = [];
    for (const node of nodes()) {
      let cursor = '0';
      do {
        const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', scanCount);
        cursor = next;
        found.push(...page);
      } while (cursor !== '0');
    }
    return found;
  }

  /** The chat hashes of one portal, as a scan finds them now. */
  async function chatHashesOf(portal: string): Promise<string[]> {
    const pattern = `${keys.prefix}:{p:${encodeKeyPart(portal)}}:c:*:chat`;
    return (await scanAll(pattern)).filter(
      (key) => chatOfRecordKey(keys.prefix, 'chat', key)?.portal === portal,
    );
  }

  /** Repairs one portal; `chats` is a scan already made, used for the first attempt. */
  async function repairPortal(portal: string, scanned: string[] | undefined, dryRun: boolean) {
    const busy = keys.busy(portal);
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const epoch = (await client.hget(busy, 'epoch')) ?? '';
      const chats = attempt === 1 && scanned !== undefined ? scanned : await chatHashesOf(portal);
      const reply = replyArray(
        await client.eval(busyRepairLua, 1 + chats.length, busy, ...chats, epoch, dryRun ? '1' : '0'),
        'busyRepair',
      );
      if (replyNumber(reply[0], 'busyRepair') === -1) continue;
      const corrected: BusyCorrection[] = [];
      for (let at = 1; at + 2 < reply.length; at += 3) {
        corrected.push({
          portal,
          operatorId: Number(replyString(reply[at], 'busyRepair')),
          was: replyNumber(reply[at + 1], 'busyRepair'),
          now: replyNumber(reply[at + 2], 'busyRepair'),
        });
      }
      return { chats: chats.length, corrected };
    }
    throw new RedisStoreError(
      'REDIS_FAILURE',
      `The portal's chats changed holders during every one of ${maxAttempts} repair attempts; run the repair again`,
      { context: { portal, operation: 'repairBusyCounts' } },
    );
  }

  async function repairBusyCounts(
    portal?: string,
    options: BusyRepairOptions = {},
  ): Promise<BusyRepairReport> {
    const only = portal === undefined ? undefined : parseInput(portalIdSchema, portal, 'portal');
    const { dryRun = false } = parseInput(optionsSchema, options, 'repairBusyCounts options');
    connection.assertOpen('repairBusyCounts');
    return guarded('repairBusyCounts', async () => {
      const byPortal = new Map<string, string[]>();
      if (only !== undefined) {
        byPortal.set(only, await chatHashesOf(only));
      } else {
        for (const key of await scanAll(`${keys.prefix}:{p:*}:c:*:chat`)) {
          const chat = chatOfRecordKey(keys.prefix, 'chat', key);
          if (chat === undefined) continue;
          byPortal.set(chat.portal, [...(byPortal.get(chat.portal) ?? []), key]);
        }
        // Counts of a portal with no chat left are repaired too (to zero).
        for (const key of await scanAll(`${keys.prefix}:{p:*}:busy`)) {
          const owner = portalOfBusyKey(keys.prefix, key);
          if (owner !== undefined && !byPortal.has(owner)) byPortal.set(owner, []);
        }
      }
      let chats = 0;
      const corrected: BusyCorrection[] = [];
      for (const [name, scanned] of byPortal) {
        const report = await repairPortal(name, scanned, dryRun);
        chats += report.chats;
        corrected.push(...report.corrected);
      }
      return { chats, corrected };
    });
  }

  return { repairBusyCounts };
}

/** The portal of a busy hash key, `<prefix>:{p:<encoded portal>}:busy`. */
function portalOfBusyKey(prefix: string, key: string): string | undefined {
  const head = `${prefix}:{p:`;
  const tail = '}:busy';
  if (!key.startsWith(head) || !key.endsWith(tail)) return undefined;
  try {
    return decodeURIComponent(key.slice(head.length, key.length - tail.length));
  } catch {
    return undefined;
  }
}
