import { type ChatKey, type Commit, chatKeySchema, transferTargetSchema } from '@baton/core';
import { z } from 'zod';
import { fromZodError, RedisStoreError } from './errors.js';

const idSchema = z.string().min(1, 'id must not be empty').max(512);

/** Bounds one commit so that a runaway machine cannot grow the outbox without limit. */
const maxEntriesPerCommit = 1_000;

/** A platform call as recorded in the outbox: mirrors core's `EffectCall`. */
export const effectCallSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('transfer'), target: transferTargetSchema, leave: z.boolean() }),
  z.object({ kind: z.literal('removeBot') }),
  z.object({ kind: z.literal('readDialogOwner') }),
  z.object({ kind: z.literal('sendBotMessage'), text: z.string().max(100_000) }),
  z.object({ kind: z.literal('handToQueue') }),
  z.object({ kind: z.literal('finishSession') }),
]);

const sameChat = (commitKey: ChatKey, key: ChatKey) =>
  commitKey.portal === key.portal && commitKey.chatId === key.chatId;

/** A commit as the store accepts it: validated before anything is sent to Redis. */
export const commitSchema = z
  .object({
    key: chatKeySchema,
    expectedVersion: z.number().int().nonnegative(),
    snapshot: z.unknown(),
    summary: z.object({
      state: z.string().min(1).max(255),
      stateSince: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
    }),
    eventId: idSchema,
    effects: z
      .array(
        z.object({
          id: idSchema,
          key: chatKeySchema,
          call: effectCallSchema,
        }),
      )
      .max(maxEntriesPerCommit),
    timersToSet: z
      .array(z.object({ id: idSchema, key: chatKeySchema, delayMs: z.number().int().nonnegative() }))
      .max(maxEntriesPerCommit),
    timersToCancel: z.array(idSchema).max(maxEntriesPerCommit),
  })
  .superRefine((commit, context) => {
    for (const field of ['effects', 'timersToSet'] as const) {
      const seen = new Set<string>();
      commit[field].forEach((entry, index) => {
        if (!sameChat(commit.key, entry.key)) {
          context.addIssue({
            code: 'custom',
            path: [field, index, 'key'],
            message: 'must belong to the committed chat',
          });
        }
        if (seen.has(entry.id)) {
          context.addIssue({
            code: 'custom',
            path: [field, index, 'id'],
            message: `duplicate id ${entry.id}`,
          });
        }
        seen.add(entry.id);
      });
    }
  });

/** A validated commit, with its snapshot already turned into JSON text. */
export interface ParsedCommit extends Commit {
  readonly snapshotJson: string;
}

/** Validates a commit, throwing `INVALID_INPUT` with every problem listed. */
export function parseCommit(commit: Commit): ParsedCommit {
  const parsed = commitSchema.safeParse(commit);
  if (!parsed.success) throw fromZodError('INVALID_INPUT', 'commit', parsed.error);
  let snapshotJson: string | undefined;
  try {
    snapshotJson = JSON.stringify(commit.snapshot);
  } catch (cause) {
    throw new RedisStoreError('INVALID_INPUT', 'Invalid commit: snapshot is not JSON-serialisable', {
      context: { portal: commit.key.portal, chatId: commit.key.chatId, issues: ['snapshot: not JSON'] },
      cause,
    });
  }
  if (snapshotJson === undefined) {
    throw new RedisStoreError('INVALID_INPUT', 'Invalid commit: snapshot is not JSON-serialisable', {
      context: { portal: commit.key.portal, chatId: commit.key.chatId, issues: ['snapshot: not JSON'] },
    });
  }
  return { ...commit, snapshotJson };
}

/** Validates a chat key, throwing `INVALID_INPUT`. */
export function parseChatKey(key: ChatKey): ChatKey {
  const parsed = chatKeySchema.safeParse(key);
  if (!parsed.success) throw fromZodError('INVALID_INPUT', 'chat key', parsed.error);
  return { portal: parsed.data.portal, chatId: parsed.data.chatId };
}

/** Validates a claim limit and lease/visibility (positive integers). */
export const claimOptionsSchema = z.object({
  limit: z.number().int().positive().max(10_000),
  leaseMs: z.number().int().positive(),
});
