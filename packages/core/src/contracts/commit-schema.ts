import { z } from 'zod';
import { chatKeySchema } from '../chat-key.js';
import { transferTargetSchema } from '../events.js';

const entryIdSchema = z.string().min(1, 'id must not be empty').max(512);
/** Bounds one commit so that a runaway machine cannot grow the outbox without limit. */
const maxEntriesPerCommit = 1_000;

/** A platform call as recorded in the outbox: mirrors `EffectCall`. */
export const effectCallSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('transfer'), target: transferTargetSchema, leave: z.boolean() }),
  z.object({ kind: z.literal('removeBot') }),
  z.object({ kind: z.literal('readDialogOwner') }),
  z.object({ kind: z.literal('sendBotMessage'), text: z.string().max(100_000) }),
  z.object({ kind: z.literal('handToQueue') }),
  z.object({ kind: z.literal('finishSession') }),
]);

/** The facts kept beside a snapshot. */
export const chatSummarySchema = z.object({
  state: z.string().min(1, 'state must not be empty').max(255),
  stateSince: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
  holder: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});

const sameKey = (a: { portal: string; chatId: number }, b: { portal: string; chatId: number }) =>
  a.portal === b.portal && a.chatId === b.chatId;

/**
 * The schema of a `Commit`, with `snapshot` checked by `snapshotSchema` (a store may turn it into
 * the form it keeps). Every outbox entry and timer must belong to the committed chat — one
 * chat's events must never write into another's outbox — and ids must be unique within the commit.
 */
export function commitSchemaWith<S extends z.ZodType>(snapshotSchema: S) {
  return z
    .object({
      key: chatKeySchema,
      expectedVersion: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      snapshot: snapshotSchema,
      summary: chatSummarySchema,
      eventId: z.string().min(1, 'eventId must not be empty').max(512),
      effects: z
        .array(z.object({ id: entryIdSchema, key: chatKeySchema, call: effectCallSchema }))
        .max(maxEntriesPerCommit),
      timersToSet: z
        .array(
          z.object({
            id: entryIdSchema,
            key: chatKeySchema,
            delayMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
          }),
        )
        .max(maxEntriesPerCommit),
      timersToCancel: z.array(entryIdSchema).max(maxEntriesPerCommit),
      note: z
        .object({ eventType: z.string().min(1).max(64), reason: z.string().max(300).optional() })
        .optional(),
      maxChats: z.number().int().positive().max(10_000).optional(),
      completesTimer: z.object({ id: entryIdSchema, leaseToken: z.string().min(1).max(256) }).optional(),
    })
    .superRefine((commit, ctx) => {
      for (const field of ['effects', 'timersToSet'] as const) {
        const seen = new Set<string>();
        commit[field].forEach((entry, index) => {
          if (!sameKey(entry.key, commit.key)) {
            ctx.addIssue({
              code: 'custom',
              path: [field, index, 'key'],
              message: 'must equal the commit key',
            });
          }
          if (seen.has(entry.id)) {
            ctx.addIssue({ code: 'custom', path: [field, index, 'id'], message: `duplicate id ${entry.id}` });
          }
          seen.add(entry.id);
        });
      }
    });
}

/** The schema of a `Commit` as every store must accept it (the snapshot is any JSON-compatible value). */
export const commitSchema = commitSchemaWith(z.unknown());

/** The schema of `Store.commit`'s options (`undefined` means none). */
export const commitOptionsSchema = z.object({ readOnConflict: z.boolean().optional() }).strict().optional();
