import { randomUUID } from 'node:crypto';
import type { ChatKey } from '@baton/core';
import type { StoreContext } from './context.js';
import { decodeRef, encodeRef } from './keys.js';
import { replyArray, replyNumber, type ScriptName } from './scripts/index.js';

/** What the chat's record said when a claim consulted it. */
export type RecordVerdict<T> =
  | { readonly outcome: 'claimed'; readonly value: T }
  /** Not claimable until `score` (held by a live lease, or not yet due). */
  | { readonly outcome: 'later'; readonly score: number }
  /** The chat has no such record: the ref is dropped. */
  | { readonly outcome: 'gone' };

/** One ref taken from a portal's index, with what the claim needs to consult the chat. */
export interface Candidate {
  readonly key: ChatKey;
  readonly id: string;
  /** The ref in the portal's index, which the record's script sets to what the record says. */
  readonly ref: string;
  readonly token: string;
}

/** A batch of candidates of one portal, taken by one index claim. */
export interface CandidateBatch {
  readonly indexKey: string;
  readonly now: number;
  readonly leaseUntil: number;
  readonly candidates: readonly Candidate[];
}

/**
 * The claim loop shared by the outbox and the timers: walk the portals (starting at a rotating
 * one, so that workers spread out), take due refs from each portal's index, and let the chat's
 * own record decide (its script also sets the ref to what the record says). Tells this store's
 * listeners when each portal's index next has something due.
 */
export function createPortalClaimer(context: StoreContext, index: 'outbox' | 'timers') {
  const { connection, keys } = context;
  let rotation = 0;

  return async function claimFromPortals<T>(
    limit: number,
    leaseMs: number,
    /** Asks the chats' records about a batch, in one script on the portal's slot; a verdict per candidate. */
    consult: (batch: CandidateBatch) => Promise<RecordVerdict<T>[]>,
  ): Promise<T[]> {
    const claimed: T[] = [];
    const portals = await context.portals.list();
    const start = rotation;
    rotation += 1;
    let nextIn = Number.POSITIVE_INFINITY;
    for (let step = 0; step < portals.length && claimed.length < limit; step += 1) {
      const portal = portals[(start + step) % portals.length] as string;
      const indexKey = keys.indexes(portal)[index];
      const reply = replyArray(
        await connection.run(
          'batonIndexClaim',
          [indexKey],
          [connection.nowArgument(), limit - claimed.length, leaseMs],
        ),
        'batonIndexClaim',
      );
      const now = replyNumber(reply[0], 'batonIndexClaim');
      const leaseUntil = replyNumber(reply[1], 'batonIndexClaim');
      const next = replyNumber(reply[2], 'batonIndexClaim');
      const candidates: Candidate[] = [];
      const foreign: (string | number)[] = [];
      for (const ref of reply.slice(3).map(String)) {
        const decoded = decodeRef(portal, ref);
        if (decoded === undefined) foreign.push(ref, leaseUntil, -1);
        else candidates.push({ ...decoded, ref, token: leaseToken(leaseUntil) });
      }
      if (foreign.length > 0) await connection.run('batonIndexFix', [indexKey], foreign);
      const verdicts =
        candidates.length === 0 ? [] : await consult({ indexKey, now, leaseUntil, candidates });
      for (const verdict of verdicts) {
        if (verdict.outcome === 'claimed') claimed.push(verdict.value);
        else if (verdict.outcome === 'later') nextIn = Math.min(nextIn, verdict.score - now);
      }
      if (next >= 0) nextIn = Math.min(nextIn, next - now);
    }
    if (Number.isFinite(nextIn)) context.work.tell({ kind: index, inMs: Math.max(0, nextIn) });
    return claimed;
  };
}

/**
 * A lease token names the time its lease ends (the score the claim gave the ref in the portal's
 * index), which makes every claim's token unique and readable in `readChat`.
 */
function leaseToken(leaseUntil: number): string {
  return `${randomUUID()}@${leaseUntil}`;
}

/**
 * Completes an entry: the chat's script removes the record and its index ref if the token still
 * holds it (and, when that was the chat's last pending record, lets a resting chat expire).
 */
export async function completeRecord(
  context: StoreContext,
  script: Extract<ScriptName, 'batonCompleteEffect' | 'batonCompleteTimer'>,
  index: 'outbox' | 'timers',
  entry: { key: ChatKey; id: string; leaseToken: string },
): Promise<boolean> {
  const { connection, keys } = context;
  const chat = keys.chat(entry.key);
  const removed = replyNumber(
    await connection.run(
      script,
      [chat.chat, chat.dedupe, chat.outbox, chat.timers, chat.history, keys.indexes(entry.key.portal)[index]],
      [entry.id, entry.leaseToken, context.retentionJson, encodeRef(entry.key.chatId, entry.id)],
    ),
    script,
  );
  return removed === 1;
}
