import type { ClaimedTimer, ClaimTimersOptions } from '@baton/core/adapter';
import { z } from 'zod';
import { type Candidate, completeRecord, createPortalClaimer, type RecordVerdict } from './claims.js';
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
        async (batch) => {
          const reply = replyArray(
            await connection.run(
              'batonClaimTimers',
              [
                batch.indexKey,
                ...batch.candidates.flatMap((candidate) => {
                  const chat = keys.chat(candidate.key);
                  return [chat.timers, chat.chat];
                }),
              ],
              [
                batch.now,
                batch.leaseUntil,
                ...batch.candidates.flatMap((candidate) => [candidate.id, candidate.token, candidate.ref]),
              ],
            ),
            'batonClaimTimers',
          );
          return batch.candidates.map((candidate, at) =>
            verdictOf(candidate, reply.slice(at * 7, at * 7 + 7)),
          );
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

/** One candidate's seven values of a `batonClaimTimers` reply, as a verdict. */
function verdictOf(candidate: Candidate, values: unknown[]): RecordVerdict<ClaimedTimer> {
  const outcome = replyNumber(values[0], 'batonClaimTimers');
  if (outcome === 0) return { outcome: 'gone' };
  const score = replyNumber(values[1], 'batonClaimTimers');
  if (outcome === 2) return { outcome: 'later', score };
  const chat = chatFromReply(candidate.key, values.slice(2), 'batonClaimTimers');
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
}
