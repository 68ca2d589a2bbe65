import { z } from 'zod';
import type { ChatKey } from '../chat-key.js';
import { BatonError, invalidInput } from '../errors.js';

/**
 * The version of the persisted chat's shape that this machine writes. Bumped whenever a stored
 * snapshot of the previous version would no longer validate; a migration from the previous
 * version comes with every bump.
 */
export const chatSchemaVersion = 2;

/** A persisted chat as plain JSON, at some schema version. */
export type PersistedChatData = Record<string, unknown>;

/**
 * Brings a persisted chat from schema version `from` to `from + 1`. Pure: it gets a copy and
 * returns the chat at the next version (without `schemaVersion`; the engine sets it). From
 * schema version 2 on, a stored context leaves out the chat's key and every field still at its
 * initial value (they are filled in after the last migration), so a migration must treat a
 * missing field as its initial value.
 */
export interface SnapshotMigration {
  readonly from: number;
  readonly migrate: (chat: PersistedChatData) => PersistedChatData;
}

const migrationSchema = z.object({
  from: z.number().int().positive(),
  migrate: z.custom<SnapshotMigration['migrate']>((value) => typeof value === 'function', {
    message: 'expected a function',
  }),
});

/** Version 1 (no `schemaVersion`): no reset history, no waiting room. */
const fromVersion1: SnapshotMigration = {
  from: 1,
  migrate: (chat) => {
    const context = (typeof chat.context === 'object' && chat.context !== null ? chat.context : {}) as Record<
      string,
      unknown
    >;
    return {
      ...chat,
      context: {
        ...context,
        resets: [],
        waitingMessages: [],
        waitTimer: null,
        waitTicks: 0,
        greetedStep: -1,
        skips: [],
      },
    };
  },
};

/** The migrations of the machine's own schema, oldest first. */
export const builtInMigrations: readonly SnapshotMigration[] = [fromVersion1];

/**
 * Merges the built-in migrations with the caller's (which may replace a built-in one of the same
 * `from`); a repeated `from` among the caller's own is `INVALID_INPUT`.
 */
export function resolveMigrations(extra: readonly SnapshotMigration[] = []): Map<number, SnapshotMigration> {
  const parsed = z.array(migrationSchema).max(1_000).safeParse(extra);
  if (!parsed.success) throw invalidInput('migrations', parsed.error);
  const byVersion = new Map(builtInMigrations.map((migration) => [migration.from, migration]));
  const seen = new Set<number>();
  for (const migration of extra) {
    if (seen.has(migration.from)) {
      throw new BatonError('INVALID_INPUT', `Two migrations from schema version ${migration.from}`, {
        context: { issues: [`migrations: repeated from ${migration.from}`] },
      });
    }
    seen.add(migration.from);
    byVersion.set(migration.from, migration);
  }
  return byVersion;
}

/** The schema version a stored chat says it has (`1` when it says none: written before versions). */
export function schemaVersionOf(data: unknown): number | null {
  if (typeof data !== 'object' || data === null) return null;
  const version = (data as Record<string, unknown>).schemaVersion;
  if (version === undefined) return 1;
  return typeof version === 'number' && Number.isInteger(version) && version > 0 ? version : null;
}

/**
 * Brings stored data up to `chatSchemaVersion`. A chat written by a newer version is
 * `SNAPSHOT_FROM_NEWER_VERSION` (retryable: a newer worker can read it; this one leaves it
 * untouched); a missing or failing migration is `CORRUPT_SNAPSHOT`.
 */
export function migrateSnapshot(
  data: unknown,
  migrations: ReadonlyMap<number, SnapshotMigration>,
  key: ChatKey,
): unknown {
  const version = schemaVersionOf(data);
  if (version === null) return data; // not an object, or a bad version: validation reports it
  if (version > chatSchemaVersion) {
    throw new BatonError(
      'SNAPSHOT_FROM_NEWER_VERSION',
      `The chat was written by schema version ${version}; this engine reads up to ${chatSchemaVersion}`,
      { context: { portal: key.portal, chatId: key.chatId } },
    );
  }
  // Current data needs no migration, so no copy (a migration gets a copy: it may change it).
  if (version === chatSchemaVersion) return data;
  let current = structuredClone(data) as PersistedChatData;
  for (let from = version; from < chatSchemaVersion; from += 1) {
    const migration = migrations.get(from);
    if (migration === undefined) {
      throw new BatonError('CORRUPT_SNAPSHOT', `No migration from schema version ${from}`, {
        context: { portal: key.portal, chatId: key.chatId },
      });
    }
    try {
      current = { ...migration.migrate(current), schemaVersion: from + 1 };
    } catch (error) {
      throw new BatonError('CORRUPT_SNAPSHOT', `The migration from schema version ${from} failed`, {
        context: { portal: key.portal, chatId: key.chatId },
        cause: error,
      });
    }
  }
  return current;
}
