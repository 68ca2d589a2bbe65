import type { ClaimedEffect, EffectCall } from '@baton/core/adapter';
import { type ClaimEffectsOptions, effectCallSchema } from '@baton/core/adapter';
import { z } from 'zod';
import {
  type Candidate,
  type CandidateBatch,
  completeRecord,
  createPortalClaimer,
  type RecordVerdict,
} from './claims.js';
import { claimOptionsSchema, parseChatKey } from './commit-input.js';
import { guarded, type StoreContext } from './context.js';
import { parseInput, RedisStoreError } from './errors.js';
import { replyArray, replyNumber, replyString } from './scripts/index.js';

const completionSchema = z.object({
  id: z.string().min(1).max(512),
  leaseToken: z.string().min(1).max(256),
});

/**
 * The outbox: entries claimed with a fenced lease whose expiry comes from the store's time;
 * an expired lease is reclaimed by any worker; a completion with a stale token is refused.
 */
export function createOutbox(context: StoreContext) {
  const { connection, keys } = context;
  const claimFromPortals = createPortalClaimer(context, 'outbox');

  async function claimEffects(options: ClaimEffectsOptions): Promise<ClaimedEffect[]> {
    const parsed = parseInput(claimOptionsSchema, options, 'claim options');
    connection.assertOpen('claimEffects');
    return guarded('claimEffects', async () => {
      const claimed = await claimFromPortals<ClaimedEffect & { order: [number, number] }>(
        parsed.limit,
        parsed.leaseMs,
        async (batch) => {
          const reply = replyArray(
            await connection.run(
              'batonClaimEffects',
              [batch.indexKey, ...batch.candidates.map((candidate) => keys.chat(candidate.key).outbox)],
              [
                batch.now,
                batch.leaseUntil,
                ...batch.candidates.flatMap((candidate) => [candidate.id, candidate.token, candidate.ref]),
              ],
            ),
            'batonClaimEffects',
          );
          return batch.candidates.map((candidate, at) =>
            verdictOf(candidate, reply.slice(at * 6, at * 6 + 6), batch),
          );
        },
      );
      // Oldest first, and within one chat in the order its commits recorded them.
      claimed.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
      return claimed.map(({ order: _order, ...effect }) => effect);
    });
  }

  async function completeEffect(effect: Pick<ClaimedEffect, 'id' | 'key' | 'leaseToken'>): Promise<boolean> {
    const key = parseChatKey(effect.key);
    const parsed = parseInput(completionSchema, effect, 'effect completion');
    connection.assertOpen('completeEffect');
    return guarded('completeEffect', () =>
      completeRecord(context, 'batonCompleteEffect', 'outbox', {
        key,
        id: parsed.id,
        leaseToken: parsed.leaseToken,
      }),
    );
  }

  async function startEffect(effect: Pick<ClaimedEffect, 'id' | 'key' | 'leaseToken'>): Promise<boolean> {
    const key = parseChatKey(effect.key);
    const parsed = parseInput(completionSchema, effect, 'effect start');
    connection.assertOpen('startEffect');
    return guarded('startEffect', async () => {
      const reply = await connection.run(
        'batonStartEffect',
        [keys.chat(key).outbox],
        [parsed.id, parsed.leaseToken],
      );
      return replyNumber(reply, 'batonStartEffect') === 1;
    });
  }

  /** One candidate's six values of a `batonClaimEffects` reply, as a verdict. */
  function verdictOf(
    candidate: Candidate,
    values: unknown[],
    batch: CandidateBatch,
  ): RecordVerdict<ClaimedEffect & { order: [number, number] }> {
    const outcome = replyNumber(values[0], 'batonClaimEffects');
    if (outcome === 0) return { outcome: 'gone' };
    if (outcome === 2) return { outcome: 'later', score: replyNumber(values[1], 'batonClaimEffects') };
    const call = readCall(replyString(values[2], 'batonClaimEffects'), candidate.key);
    // Leased now: it stays hidden until its lease ends, and is reported again then. The rest of
    // the claim goes on.
    if (call === undefined) return { outcome: 'later', score: batch.leaseUntil };
    return {
      outcome: 'claimed',
      value: {
        id: candidate.id,
        key: candidate.key,
        call,
        leaseToken: candidate.token,
        attempt: replyNumber(values[1], 'batonClaimEffects'),
        startedBefore: replyNumber(values[5], 'batonClaimEffects') === 1,
        order: [replyNumber(values[4], 'batonClaimEffects'), replyNumber(values[3], 'batonClaimEffects')],
      },
    };
  }

  /** A recorded call read back; `undefined`, reported, when the record cannot be read. */
  function readCall(json: string, key: { portal: string; chatId: number }): EffectCall | undefined {
    try {
      return parseCall(json, key);
    } catch (error) {
      connection.report(error);
      return undefined;
    }
  }

  return { claimEffects, completeEffect, startEffect };
}

/** Reads a recorded call back, checked with the same schema the commit was (refusing foreign data). */
function parseCall(json: string, key: { portal: string; chatId: number }): EffectCall {
  try {
    return effectCallSchema.parse(JSON.parse(json));
  } catch (cause) {
    throw new RedisStoreError('CORRUPT_RECORD', 'An outbox entry cannot be read', {
      context: { portal: key.portal, chatId: key.chatId, operation: 'claimEffects' },
      cause,
    });
  }
}
