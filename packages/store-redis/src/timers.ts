import type { ClaimedTimer, ClaimTimersOptions } from '@baton/core/adapter';
import { z } from 'zod';
import { completeRecord, createPortalClaimer } from './claims.js';
import { chatFromReply } from './commit.js';
import { parseChatKey } from './commit-input.js';
import { guarded, type StoreContext } from './context.js';
import { parseInput } from './errors.js';
import { replyArray, replyNumber } from './scripts/index.js';

const claimSchema = z.object({
  limit: z.number().int().positive().max(10_000),
  visibilityMs: z.number().int().positive(),
});

const completionSchema = z.object({
  id: z.string().min(1).max(512),
  leaseToken: z.string().min(1).max(256),
});

/**
 * Durable timers: written by commits into the chat's own hash, indexed per portal in a sorted set,
 * claimed with a visibility timeout. A cancelled or replaced timer has no record (or a fresh
 * one without the old lease), so its stale claims neither fire it twice nor complete it.
 */
export function createTimers(context: StoreContext) {
  const { connection, keys } = context;
  const claimFromPortals = createPortalClaimer(context, 'timers');

  async function claimDueTimers(options: ClaimTimersOptions): Promise<ClaimedTimer[]> {
    const parsed = parseInput(claimSchema, options, 'timer claim options');
    connection.assertOpen('claimDueTimers');
    return guarded('claimDueTimers', async () => {
      const claimed = await claimFromPortals<ClaimedTimer>(
        parsed.limit,
        parsed.visibilityMs,
        async (candidate) => {
          const reply = replyArray(
            await connection.run(
              'batonClaimTimer',
              [
                keys.chat(candidate.key).timers,
                keys.indexes(candidate.key.portal).timers,
                keys.chat(candidate.key).chat,
              ],
              [candidate.id, candidate.now, candidate.leaseUntil, candidate.token, candidate.ref],
            ),
            'batonClaimTimer',
          );
          const outcome = replyNumber(reply[0], 'batonClaimTimer');
          if (outcome === 0) return { outcome: 'gone' };
          const score = replyNumber(reply[1], 'batonClaimTimer');
          if (outcome === 2) return { outcome: 'later', score };
          const chat = chatFromReply(candidate.key, reply.slice(2), 'batonClaimTimer');
          return {
            outcome: 'claimed',
            value: {
              id: candidate.id,
              key: candidate.key,
              dueAt: score,
              leaseToken: candidate.token,
              ...(chat === undefined ? {} : { chat }),
            },
          };
        },
      );
      claimed.sort((a, b) => a.dueAt - b.dueAt);
      return claimed;
    });
  }

  async function completeTimer(timer: Pick<ClaimedTimer, 'id' | 'key' | 'leaseToken'>): Promise<boolean> {
    const key = parseChatKey(timer.key);
    const parsed = parseInput(completionSchema, timer, 'timer completion');
    connection.assertOpen('completeTimer');
    return guarded('completeTimer', () =>
      completeRecord(context, 'batonCompleteTimer', 'timers', {
        key,
        id: parsed.id,
        leaseToken: parsed.leaseToken,
      }),
    );
  }

  return { claimDueTimers, completeTimer };
}
