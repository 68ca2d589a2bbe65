import type { ChatKey } from '@baton/core';
import type { Commit, CommitOptions, CommitResult, StoredChat } from '@baton/core/adapter';
import { commitOptionsSchema } from '@baton/core/adapter';
import { type ParsedCommit, parseChatKey, parseCommit } from './commit-input.js';
import { guarded, type StoreContext } from './context.js';
import { parseInput, RedisStoreError } from './errors.js';
import { replyArray, replyNumber, replyString } from './scripts/index.js';

const committed = 1;
const conflict = 2;
const duplicate = 3;
const atCapacity = 5;

/**
 * The write path: one script on the portal's slot changes the chat's own records (dedupe, CAS,
 * snapshot, outbox, timers, history), its portal's busy counts and its portal's indexes
 * together, and announces new work. One round trip per commit (plus one per portal the first
 * time this store writes there, to register the portal).
 */
export function createCommitPath(context: StoreContext) {
  const { connection, keys } = context;

  async function commit(input: Commit, options?: CommitOptions): Promise<CommitResult> {
    const change = parseCommit(input);
    const readOnConflict =
      parseInput(commitOptionsSchema, options, 'commit options')?.readOnConflict === true;
    return guarded('commit', async () => {
      await context.portals.ensure(change.key.portal);
      return commitOnce(change, readOnConflict);
    });
  }

  async function commitOnce(change: ParsedCommit, readOnConflict: boolean): Promise<CommitResult> {
    const chat = keys.chat(change.key);
    const indexes = keys.indexes(change.key.portal);
    const reply = replyArray(
      await connection.run(
        'batonCommit',
        [
          chat.chat,
          chat.dedupe,
          chat.outbox,
          chat.timers,
          chat.history,
          keys.busy(change.key.portal),
          indexes.outbox,
          indexes.timers,
          indexes.states,
        ],
        [
          connection.nowArgument(),
          change.expectedVersion,
          change.eventId,
          context.dedupeTtlMs,
          change.snapshotJson,
          change.summary.state,
          String(change.summary.stateSince),
          context.historyLength,
          context.retention.get(change.summary.state) ?? 0,
          change.summary.holder ?? '',
          change.maxChats ?? '',
          readOnConflict ? '1' : '0',
          change.key.chatId,
          keys.workChannel,
          context.work.id,
          change.key.portal,
          change.effects.length,
          ...change.effects.flatMap((effect) => [effect.id, JSON.stringify(effect.call)]),
          change.timersToSet.length,
          ...change.timersToSet.flatMap((timer) => [timer.id, timer.delayMs]),
          change.timersToCancel.length,
          ...change.timersToCancel,
          historyFields(change),
          change.completesTimer?.id ?? '',
          change.completesTimer?.leaseToken ?? '',
        ],
      ),
      'batonCommit',
    );
    const status = replyNumber(reply[0], 'batonCommit');
    const value = replyNumber(reply[1], 'batonCommit');

    if (status === committed) {
      announce(change);
      const completion = replyNumber(reply[4], 'batonCommit');
      return completion < 0
        ? { status: 'committed', version: value }
        : { status: 'committed', version: value, timerCompleted: completion === 1 };
    }
    if (status === conflict) {
      if (!readOnConflict) return { status: 'conflict', currentVersion: value };
      const [snapshot, state, stateSince, holder] = reply.slice(4);
      const current = chatFromReply(
        change.key,
        [snapshot, String(value), state, stateSince, holder],
        'batonCommit',
      );
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

  /** The history entry's members but version and time (which the script adds), JSON-encoded. */
  function historyFields(change: ParsedCommit): string {
    if (context.historyLength === 0) return '';
    const entry = {
      eventId: change.eventId,
      state: change.summary.state,
      ...(change.note?.eventType ? { eventType: change.note.eventType } : {}),
      ...(change.note?.reason ? { reason: change.note.reason } : {}),
    };
    return JSON.stringify(entry).slice(1, -1);
  }

  /** Tells this store's own listeners of the commit's new work (other stores hear the script's announcement). */
  function announce(change: ParsedCommit): void {
    if (change.effects.length > 0) context.work.tell({ kind: 'outbox', inMs: 0 });
    if (change.timersToSet.length > 0) {
      const first = Math.min(...change.timersToSet.map((timer) => timer.delayMs));
      context.work.tell({ kind: 'timers', inMs: first });
    }
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

/**
 * A chat a script read and answered (snapshot, version, state, stateSince, holder; '' when
 * absent): `null` when it has no record, `undefined` when the record cannot be read (the caller's
 * own read then reports it).
 */
export function chatFromReply(
  key: ChatKey,
  fields: unknown[],
  operation: string,
): StoredChat | null | undefined {
  const [snapshot, version, state, stateSince, holder] = fields.map((field) => {
    const text = replyString(field, operation);
    return text === '' ? null : text;
  });
  if (version == null || version === '0') return null;
  try {
    return (
      decodeChat(key, [snapshot ?? null, version, state ?? null, stateSince ?? null, holder ?? null]) ?? null
    );
  } catch {
    return undefined;
  }
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
