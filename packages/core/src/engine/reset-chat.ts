import { randomUUID } from 'node:crypto';
import type { ChatKey } from '../chat-key.js';
import type { Clock } from '../contracts/clock.js';
import type { Store } from '../contracts/store.js';
import { BatonError, isBatonError } from '../errors.js';
import { type ChatContext, initialChatContext } from '../machine/context.js';
import { chatSchemaVersion, type SnapshotMigration, schemaVersionOf } from '../machine/schema-version.js';
import { type LifecycleMachine, type LifecycleSnapshot, restoreSnapshot } from '../machine/snapshot.js';

/** What `engine.resetChat` did. */
export interface ChatResetPayload {
  readonly key: ChatKey;
  readonly reason: string;
  /** `CORRUPT_SNAPSHOT` when the chat could not be read back, `RESET` when it could. */
  readonly code: 'CORRUPT_SNAPSHOT' | 'RESET';
  /** The chat's version after the reset. */
  readonly version: number;
  /**
   * The operator the chat counted against before the reset (`summary.holder`: offered to or
   * holding it), whose busy count the reset's commit released; `null` when nobody.
   */
  readonly releasedOperatorId: number | null;
}

interface Deps {
  readonly store: Store;
  readonly machine: LifecycleMachine;
  readonly clock: Clock;
  readonly migrations: ReadonlyMap<number, SnapshotMigration>;
}

const timerFields = ['confirmationTimer', 'retryTimer', 'pollTimer', 'waitTimer'] as const;

/** The timer ids a stored context names, however broken the rest of it is. */
function timersNamedBy(snapshot: unknown): string[] {
  const context = (snapshot as { context?: Record<string, unknown> } | null)?.context;
  if (typeof context !== 'object' || context === null) return [];
  return timerFields
    .map((field) => context[field])
    .filter((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= 512);
}

/**
 * Puts one chat back in `bot` with a fresh context: its timers are cancelled, its outbox entries
 * are no longer awaited (so never made), and the reset is recorded in `context.resets`. Meant for
 * an operator recovering a chat whose snapshot cannot be read back (`CORRUPT_SNAPSHOT`); a chat
 * of a newer schema version is refused (`SNAPSHOT_FROM_NEWER_VERSION`) and left untouched.
 */
export async function resetChat(deps: Deps, key: ChatKey, reason: string): Promise<ChatResetPayload> {
  for (let attempt = 1; attempt <= 10; attempt += 1) {
    const stored = await deps.store.load(key);
    if (!stored) {
      throw new BatonError('CHAT_NOT_FOUND', 'The chat has no history to reset', {
        context: { portal: key.portal, chatId: key.chatId },
      });
    }
    if ((schemaVersionOf(stored.snapshot) ?? 0) > chatSchemaVersion) {
      throw new BatonError(
        'SNAPSHOT_FROM_NEWER_VERSION',
        'The chat was written by a newer schema version; reset it with a worker of that version',
        { context: { portal: key.portal, chatId: key.chatId } },
      );
    }
    let before: LifecycleSnapshot | null = null;
    try {
      before = restoreSnapshot(deps.machine, stored.snapshot, key, deps.migrations);
    } catch (error) {
      if (!isBatonError(error, 'CORRUPT_SNAPSHOT')) throw error;
    }
    const code = before === null ? 'CORRUPT_SNAPSHOT' : 'RESET';
    const now = deps.clock.now();
    const context: ChatContext = {
      ...initialChatContext(key.portal, key.chatId),
      // Every session begins with a commit, so the version exceeds any session the chat had:
      // no id of the new context can repeat one that a pending timer or outbox entry carries.
      session: stored.version + 1,
      platformSession: before?.context.platformSession ?? null,
      resets: [...(before?.context.resets ?? []), { at: now, reason, code }].slice(-10),
    };
    const result = await deps.store.commit({
      key,
      expectedVersion: stored.version,
      snapshot: { schemaVersion: chatSchemaVersion, value: 'bot', context },
      summary: { state: 'bot', stateSince: now },
      eventId: `reset:${randomUUID()}`,
      effects: [],
      timersToSet: [],
      timersToCancel: [...new Set(timersNamedBy(stored.snapshot))],
    });
    if (result.status === 'committed') {
      // Read from the store's record, not the snapshot: known even when the snapshot is corrupt.
      return {
        key,
        reason,
        code,
        version: result.version,
        releasedOperatorId: stored.summary.holder ?? null,
      };
    }
  }
  throw new BatonError('CONFLICT_RETRIES_EXHAUSTED', 'The chat kept changing while it was reset', {
    context: { portal: key.portal, chatId: key.chatId },
  });
}
