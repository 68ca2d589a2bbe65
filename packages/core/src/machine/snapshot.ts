import { z } from 'zod';
import type { ChatKey } from '../chat-key.js';
import { describeZodIssues } from '../errors/validation.js';
import { BatonError } from '../errors.js';
import { type ChatContext, type ChatState, chatContextSchema, chatStates } from './context.js';
import type { createLifecycleMachine } from './lifecycle-machine.js';

/** The lifecycle machine's type. */
export type LifecycleMachine = ReturnType<typeof createLifecycleMachine>;
/** A lifecycle machine snapshot (XState's `MachineSnapshot`). */
export type LifecycleSnapshot = ReturnType<LifecycleMachine['resolveState']>;

/**
 * What a store keeps of a chat's machine: the state's name and the context. The machine has no
 * children and no history states, so this is all that XState needs to resolve the snapshot again.
 */
export const persistedChatSchema = z.object({
  value: z.enum(chatStates),
  context: chatContextSchema,
});

/** A chat's machine as stored: JSON-compatible. */
export interface PersistedChat {
  readonly value: ChatState;
  readonly context: ChatContext;
}

/** The state's name of a snapshot. */
export function stateOf(snapshot: LifecycleSnapshot): ChatState {
  return snapshot.value as ChatState;
}

/** Turns a snapshot into plain JSON for the store. */
export function persistSnapshot(snapshot: LifecycleSnapshot): PersistedChat {
  return { value: stateOf(snapshot), context: structuredClone(snapshot.context) };
}

/** Validates stored data and resolves it into a snapshot; a mismatch is `CORRUPT_SNAPSHOT`, never a crash. */
export function restoreSnapshot(machine: LifecycleMachine, data: unknown, key: ChatKey): LifecycleSnapshot {
  const parsed = persistedChatSchema.safeParse(data);
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
