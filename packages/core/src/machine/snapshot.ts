import { z } from 'zod';
import type { ChatKey } from '../chat-key.js';
import { describeZodIssues } from '../errors/validation.js';
import { BatonError } from '../errors.js';
import {
  type ChatContext,
  type ChatState,
  chatContextSchema,
  chatStates,
  initialChatContext,
} from './context.js';
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
 * What a store keeps of a chat's machine: the schema version, the state's name and the context
 * (stored compactly, see `PersistedChat`). The machine has no children and no history states, so
 * this is all that XState needs to resolve the snapshot again.
 */
export const persistedChatSchema = z.object({
  schemaVersion: z.literal(chatSchemaVersion),
  value: z.enum(chatStates),
  context: chatContextSchema,
});

/**
 * A chat's machine as stored: JSON-compatible. The context leaves out the chat's key (the store
 * files the chat under it) and every field that still has its initial value, so a chat the bot
 * holds takes tens of bytes instead of hundreds; reading fills them back in. A full context (as
 * older versions stored it) reads the same.
 */
export interface PersistedChat {
  readonly schemaVersion: typeof chatSchemaVersion;
  readonly value: ChatState;
  readonly context: Partial<ChatContext>;
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
  return {
    schemaVersion: chatSchemaVersion,
    value: stateOf(snapshot),
    context: compactContext(snapshot.context),
  };
}

/** The initial value of every context field but the key (the same for every chat). */
const initialFields: Readonly<Record<string, unknown>> = (() => {
  const { portal: _portal, chatId: _chatId, ...rest } = initialChatContext('', 0);
  return rest;
})();

/** Compact forms already computed: XState never changes a context in place, so one per object. */
const compactForms = new WeakMap<ChatContext, Partial<ChatContext>>();

/** The fields that differ from their initial value (an empty list counts as initial). */
function compactContext(context: ChatContext): Partial<ChatContext> {
  const known = compactForms.get(context);
  if (known !== undefined) return known;
  const compact: Record<string, unknown> = {};
  for (const field in context) {
    if (field === 'portal' || field === 'chatId') continue;
    const value = context[field as keyof ChatContext];
    const initial = initialFields[field];
    if (value === initial) continue;
    if (Array.isArray(value) && value.length === 0 && Array.isArray(initial) && initial.length === 0)
      continue;
    compact[field] = value;
  }
  compactForms.set(context, compact as Partial<ChatContext>);
  return compact as Partial<ChatContext>;
}

/** A stored context (compact or full) with the key and the left-out initial values filled in. */
function fullContext(data: unknown, key: ChatKey): unknown {
  if (typeof data !== 'object' || data === null || !('context' in data)) return data;
  const { context } = data as { context: unknown };
  if (typeof context !== 'object' || context === null) return data;
  return { ...data, context: { ...initialChatContext(key.portal, key.chatId), ...context } };
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
  const parsed = persistedChatSchema.safeParse(fullContext(migrateSnapshot(data, migrations, key), key));
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
