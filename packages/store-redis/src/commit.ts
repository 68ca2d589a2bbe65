import type { ChatKey } from '@baton/core';
import type { Commit, CommitOptions, CommitResult, StoredChat } from '@baton/core/adapter';
import { commitOptionsSchema } from '@baton/core/adapter';
import { type ParsedCommit, parseChatKey, parseCommit } from './commit-input.js';
import { guarded, type StoreContext } from './context.js';
import { isRedisStoreError, parseInput, RedisStoreError } from './errors.js';
import { encodeRef, encodeStateMember } from './keys.js';
import { replyArray, replyNumber, replyString } from './scripts/index.js';

const committed = 1;
const conflict = 2;
const duplicate = 3;
const late = 4;
const atCapacity = 5;
/** A commit that keeps arriving after its deadline means a connection slower than the grace period. */
const maxLateAttempts = 3;
/** The first pause before a failed index settle is tried again (then doubled). */
const settleRetryFirstPauseMs = 250;

/**
 * The write path. The chat's own records change in one script on the chat's slot (dedupe, CAS,
 * snapshot, outbox, timers, history). The shard indexes, which live on other slots, are
 * reserved before and settled after; see the README's design section for why a worker dying in
 * between loses nothing.
 */
export function createCommitPath(context: StoreContext) {
  const { connection, keys } = context;

  async function commit(input: Commit, options?: CommitOptions): Promise<CommitResult> {
    const change = parseCommit(input);
    const readOnConflict =
      parseInput(commitOptionsSchema, options, 'commit options')?.readOnConflict === true;
    return guarded('commit', async () => {
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await commitOnce(change, readOnConflict);
        if (outcome !== 'late') return outcome;
        if (attempt >= maxLateAttempts) {
          throw new RedisStoreError(
            'REDIS_FAILURE',
            `Redis commit failed: it reached Redis after its deadline ${attempt} times (pendingGraceMs ${context.pendingGraceMs} ms is too short for this connection)`,
            { context: { operation: 'batonCommit', portal: change.key.portal, chatId: change.key.chatId } },
          );
        }
      }
    });
  }

  /** One reserve → commit → settle round; `'late'` when the commit arrived after its deadline. */
  async function commitOnce(change: ParsedCommit, readOnConflict: boolean): Promise<CommitResult | 'late'> {
    const chat = keys.chat(change.key);
    const shard = keys.shard(keys.shardOf(change.key));
    const effectRefs = change.effects.map((effect) => encodeRef(change.key, effect.id));
    const timerIds = [...change.timersToSet.map((timer) => timer.id), ...change.timersToCancel];
    const timerRefs = timerIds.map((id) => encodeRef(change.key, id));
    const touchesIndex = effectRefs.length + timerRefs.length > 0;

    let reserved: number[] = [];
    let deadline = '';
    if (touchesIndex) {
      const reservation = replyArray(
        await connection.run(
          'batonIndexReserve',
          [shard.outbox, shard.timers],
          [
            connection.nowArgument(),
            context.pendingGraceMs,
            effectRefs.length,
            ...effectRefs,
            timerRefs.length,
            ...timerRefs,
          ],
        ),
        'batonIndexReserve',
      ).map((score) => replyNumber(score, 'batonIndexReserve'));
      const tentative = reservation[0] ?? 0;
      reserved = reservation.slice(1);
      // Half the grace period: the refs turn claimable at `tentative` on the shard's clock, and
      // the chat may live on another node whose clock is a little off.
      deadline = String(tentative - Math.ceil(context.pendingGraceMs / 2));
    }

    const reply = replyArray(
      await connection.run(
        'batonCommit',
        [chat.chat, chat.dedupe, chat.outbox, chat.timers, chat.history, keys.busy(change.key.portal)],
        [
          connection.nowArgument(),
          change.expectedVersion,
          change.eventId,
          context.dedupeTtlMs,
          change.snapshotJson,
          change.summary.state,
          String(change.summary.stateSince),
          context.historyLength,
          deadline,
          context.retention.get(change.summary.state) ?? 0,
          change.summary.holder ?? '',
          change.maxChats ?? '',
          readOnConflict ? '1' : '0',
          change.effects.length,
          ...change.effects.flatMap((effect) => [effect.id, JSON.stringify(effect.call)]),
          change.timersToSet.length,
          ...change.timersToSet.flatMap((timer) => [timer.id, timer.delayMs]),
          change.timersToCancel.length,
          ...change.timersToCancel,
          change.note?.eventType ?? '',
          change.note?.reason ?? '',
        ],
      ),
      'batonCommit',
    );
    const status = replyNumber(reply[0], 'batonCommit');
    // Nothing changed; the reserved refs turn up after the grace period and are dropped.
    if (status === late) return 'late';
    const value = replyNumber(reply[1], 'batonCommit');
    const previousState = replyString(reply[2], 'batonCommit');
    const scoreCount = effectRefs.length + timerRefs.length;
    const scores = reply.slice(4, 4 + scoreCount).map((score) => replyNumber(score, 'batonCommit'));

    const followUps: Promise<unknown>[] = [];
    if (touchesIndex) {
      const triple = (ref: string, index: number) => [ref, reserved[index] ?? -1, scores[index] ?? -1];
      const effectTriples = effectRefs.flatMap((ref, index) => triple(ref, index));
      const timerTriples = timerRefs.flatMap((ref, index) => triple(ref, effectRefs.length + index));
      followUps.push(
        settleIndex(
          [shard.outbox, shard.timers],
          [effectRefs.length, ...effectTriples, timerRefs.length, ...timerTriples],
        ),
      );
    }
    if (status === committed && previousState !== change.summary.state) {
      followUps.push(indexState(change.key, previousState, change.summary.state, change.summary.stateSince));
    }
    // A duplicate may be this very commit resent after a lost reply: its first run changed
    // the state without this worker indexing it, so index the state the chat has now.
    if (status === duplicate) followUps.push(reindexState(change.key));
    // The index follow-ups are hints that claims repair (see the README): the commit's
    // outcome stands even if they fail.
    await Promise.allSettled(followUps);

    if (status === committed) return { status: 'committed', version: value };
    if (status === conflict) {
      if (!readOnConflict) return { status: 'conflict', currentVersion: value };
      const current = answeredChat(change.key, value, reply.slice(4 + scoreCount));
      // A record that cannot be read is left out: the caller's own load then reports it.
      return current === undefined
        ? { status: 'conflict', currentVersion: value }
        : { status: 'conflict', currentVersion: value, current };
    }
    if (status === duplicate) return { status: 'duplicate' };
    if (status === atCapacity && change.summary.holder !== undefined) {
      return { status: 'atCapacity', operatorId: change.summary.holder, busy: value };
    }
    throw new RedisStoreError('UNEXPECTED_REPLY', `batonCommit answered status ${status}`, {
      context: { operation: 'batonCommit', portal: change.key.portal, chatId: change.key.chatId },
    });
  }

  /**
   * Copies the commit's scores into the shard index. A settle that fails (a blip between the
   * commit and it) would leave the refs hidden for the whole grace period, so it is tried again
   * in the background, with doubling pauses, for up to half the grace period. Repeating it is
   * safe: it writes exactly only refs that still carry this commit's reservation, and otherwise
   * only ever moves a ref earlier.
   */
  async function settleIndex(indexKeys: string[], args: (string | number)[]): Promise<void> {
    const settle = () => connection.run('batonIndexSettle', indexKeys, args);
    try {
      await settle();
    } catch {
      const giveUpAt = Date.now() + context.pendingGraceMs / 2;
      const retry = (pauseMs: number) => {
        const timer = setTimeout(() => {
          settle().catch((error: unknown) => {
            const closed = isRedisStoreError(error, 'CLOSED');
            if (!closed && Date.now() + pauseMs * 2 < giveUpAt) retry(pauseMs * 2);
          });
        }, pauseMs);
        timer.unref();
      };
      retry(settleRetryFirstPauseMs);
    }
  }

  /** Moves the chat between the state indexes (an inspection hint, checked on read). */
  async function indexState(key: ChatKey, from: string, to: string, since: number) {
    const member = encodeStateMember(key);
    const transaction = connection.client.multi();
    if (from !== '') transaction.zrem(keys.stateIndex(from), member);
    transaction.zadd(keys.stateIndex(to), since, member);
    transaction.sadd(keys.states, to);
    await transaction.exec();
  }

  async function reindexState(key: ChatKey) {
    const [state, since] = await connection.client.hmget(keys.chat(key).chat, 'state', 'stateSince');
    if (state != null && since != null) await indexState(key, '', state, Number(since));
  }

  /**
   * The chat a conflict answered (snapshot, state, stateSince, holder; '' when absent): `null`
   * when it has no record, `undefined` when its record cannot be read.
   */
  function answeredChat(key: ChatKey, version: number, fields: unknown[]): StoredChat | null | undefined {
    const [snapshot, state, stateSince, holder] = fields.map((field) => {
      const text = replyString(field, 'batonCommit');
      return text === '' ? null : text;
    });
    if (version === 0) return null;
    let chat: StoredChat | undefined;
    try {
      chat = decodeChat(key, [
        snapshot ?? null,
        String(version),
        state ?? null,
        stateSince ?? null,
        holder ?? null,
      ]);
    } catch {
      return undefined;
    }
    return chat;
  }

  async function load(input: ChatKey): Promise<StoredChat | undefined> {
    const key = parseChatKey(input);
    connection.assertOpen('load');
    return guarded('load', async () => {
      const fields = await connection.client.hmget(
        keys.chat(key).chat,
        'snapshot',
        'version',
        'state',
        'stateSince',
        'holder',
      );
      return decodeChat(key, fields);
    });
  }

  return { commit, load };
}

/** Turns the chat hash's fields (snapshot, version, state, stateSince, holder) back into a `StoredChat`, refusing foreign data. */
export function decodeChat(key: ChatKey, fields: (string | null)[]): StoredChat | undefined {
  const [snapshot, version, state, stateSince, holder] = fields;
  if (snapshot == null || version == null) return undefined;
  try {
    const parsedVersion = Number(version);
    const parsedSince = Number(stateSince);
    if (!Number.isInteger(parsedVersion) || state == null || !Number.isFinite(parsedSince)) {
      throw new Error('missing version, state or stateSince');
    }
    const parsedHolder = holder == null ? undefined : Number(holder);
    if (parsedHolder !== undefined && !Number.isSafeInteger(parsedHolder)) throw new Error('bad holder');
    return {
      snapshot: JSON.parse(snapshot) as unknown,
      version: parsedVersion,
      summary: {
        state,
        stateSince: parsedSince,
        ...(parsedHolder === undefined ? {} : { holder: parsedHolder }),
      },
    };
  } catch (cause) {
    throw new RedisStoreError('CORRUPT_RECORD', 'The stored chat cannot be read', {
      context: { portal: key.portal, chatId: key.chatId, operation: 'load' },
      cause,
    });
  }
}
