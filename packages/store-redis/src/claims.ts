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

/** One ref taken from a shard index, with what the claim needs to consult the chat. */
export interface Candidate {
  readonly key: ChatKey;
  readonly id: string;
  readonly now: number;
  readonly leaseUntil: number;
  readonly token: string;
}

/**
 * The claim loop shared by the outbox and the timers: walk the shards (starting at a rotating
 * one, so that workers spread out), take due refs from each shard index, let the chat's own
 * record decide, and correct the index where the record disagreed.
 */
export function createShardClaimer(context: StoreContext, index: 'outbox' | 'timers') {
  const { connection, keys } = context;
  let nextShard = Math.floor(Math.random() * keys.shards);

  return async function claimFromShards<T>(
    limit: number,
    leaseMs: number,
    consult: (candidate: Candidate) => Promise<RecordVerdict<T>>,
  ): Promise<T[]> {
    const claimed: T[] = [];
    const start = nextShard;
    nextShard = (nextShard + 1) % keys.shards;
    for (let step = 0; step < keys.shards && claimed.length < limit; step += 1) {
      const shardKey = keys.shard((start + step) % keys.shards)[index];
      const reply = replyArray(
        await connection.run(
          'batonIndexClaim',
          [shardKey],
          [connection.nowArgument(), limit - claimed.length, leaseMs],
        ),
        'batonIndexClaim',
      );
      if (reply.length <= 2) continue;
      const now = replyNumber(reply[0], 'batonIndexClaim');
      const leaseUntil = replyNumber(reply[1], 'batonIndexClaim');
      const refs = reply.slice(2).map(String);

      const fixes: (string | number)[] = [];
      const verdicts = await Promise.all(
        refs.map(async (ref) => {
          const decoded = decodeRef(ref);
          if (decoded === undefined) return { ref, verdict: { outcome: 'gone' } as const };
          const token = leaseToken(leaseUntil);
          const verdict = await consult({ ...decoded, now, leaseUntil, token });
          return { ref, verdict };
        }),
      );
      for (const { ref, verdict } of verdicts) {
        if (verdict.outcome === 'claimed') claimed.push(verdict.value);
        else fixes.push(ref, leaseUntil, verdict.outcome === 'gone' ? -1 : verdict.score);
      }
      if (fixes.length > 0) await connection.run('batonIndexFix', [shardKey], fixes);
    }
    return claimed;
  };
}

/**
 * A lease token names the time its lease ends, which is also the score the claim gave the ref
 * in the shard index: completion removes the ref only if it still carries that score.
 */
function leaseToken(leaseUntil: number): string {
  return `${randomUUID()}@${leaseUntil}`;
}

/** The index score a lease token was issued with, or `undefined` for a foreign token. */
export function leaseUntilOf(token: string): number | undefined {
  const at = token.lastIndexOf('@');
  if (at < 0) return undefined;
  const value = Number(token.slice(at + 1));
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Completes an entry: the chat's script removes the record if the token still holds it (and,
 * when that was the chat's last pending record, lets a resting chat expire); then
 * the index ref goes too (if still carrying the claim's score — a hint, repaired by claims).
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
      [chat.chat, chat.dedupe, chat.outbox, chat.timers, chat.history],
      [entry.id, entry.leaseToken, context.retentionJson],
    ),
    script,
  );
  if (removed !== 1) return false;
  const leaseUntil = leaseUntilOf(entry.leaseToken);
  if (leaseUntil !== undefined) {
    const shardKey = keys.shard(keys.shardOf(entry.key))[index];
    await connection
      .run('batonIndexFix', [shardKey], [encodeRef(entry.key, entry.id), leaseUntil, -1])
      .catch(() => undefined);
  }
  return true;
}
