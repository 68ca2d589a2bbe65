import { z } from 'zod';
import type { ChatKey } from '../chat-key.js';
import { describeZodIssues } from '../errors/validation.js';
import { BatonError } from '../errors.js';
import { type ChatContext, type ChatState, chatContextSchema, chatStates } from './context.js';
import type { createLifecycleMachine } from './lifecycle-machine.js';
import {
  builtInMigrations,
  chatSchemaVersion,
  migrateSnapshot,
  type SnapshotMigration,
} from './schema-version.js';

/** The lifecycle machine's type. */
export type LifecycleMachine = ReturnType<typeof createLifecycleMachine>;
/** A lifecycle machine snapshot (XState's `MachineSnapshot`). */
export type LifecycleSnapshot = ReturnType<LifecycleMachine['resolveState']>;

/**
 * What a store keeps of a chat's machine: the schema version, the state's name and the context.
 * The machine has no children and no history states, so this is all that XState needs to resolve
 * the snapshot again.
 */
export const persistedChatSchema = z.object({
  schemaVersion: z.literal(chatSchemaVersion),
  value: z.enum(chatStates),
  context: chatContextSchema,
});

/** A chat's machine as stored: JSON-compatible. */
export interface PersistedChat {
  readonly schemaVersion: typeof chatSchemaVersion;
  readonly value: ChatState;
  readonly context: ChatContext;
}

/** The state's name of a snapshot. */
export function stateOf(snapshot: LifecycleSnapshot): ChatState {
  return snapshot.value as ChatState;
}

/**
 * Turns a snapshot into plain JSON for the store. No copy: XState never changes a context in
 * place (`assign` makes a new one) and every store keeps the snapshot as text or a copy.
 */
export function persistSnapshot(snapshot: LifecycleSnapshot): PersistedChat {
  return { schemaVersion: chatSchemaVersion, value: stateOf(snapshot), context: snapshot.context };
}

const defaultMigrations: ReadonlyMap<number, SnapshotMigration> = new Map(
  builtInMigrations.map((migration) => [migration.from, migration]),
);

/**
 * Validates stored data (migrated forward from an older schema version first) and resolves it
 * into a snapshot. A mismatch is `CORRUPT_SNAPSHOT`, a chat of a newer schema version
 * `SNAPSHOT_FROM_NEWER_VERSION`; never a crash.
 */
export function restoreSnapshot(
  machine: LifecycleMachine,
  data: unknown,
  key: ChatKey,
  migrations: ReadonlyMap<number, SnapshotMigration> = defaultMigrations,
): LifecycleSnapshot {
  const parsed = persistedChatSchema.safeParse(migrateSnapshot(data, migrations, key));
  if (!parsed.success) {
    throw new BatonError(
      'CORRUPT_SNAPSHOT',
      `Stored snapshot does not match the machine: ${describeZodIssues(parsed.error).join('; ')}`,
      {
        context: { portal: key.portal, chatId: key.chatId },
        cause: parsed.error,
      },
    );
  }
  const { value, context } = parsed.data;
  if (context.portal !== key.portal || context.chatId !== key.chatId) {
    throw new BatonError('CORRUPT_SNAPSHOT', 'Stored snapshot belongs to another chat', {
      context: { portal: key.portal, chatId: key.chatId },
    });
  }
  return machine.resolveState({ value, context });
}
