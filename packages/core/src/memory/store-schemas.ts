import { z } from 'zod';
import { chatKeySchema, portalIdSchema } from '../chat-key.js';
import { transferTargetSchema } from '../events.js';
import { durationMsSchema, positiveDurationMsSchema } from './input.js';

const entryIdSchema = z.string().min(1, 'id must not be empty').max(512);
const leaseTokenSchema = z.string().min(1, 'leaseToken must not be empty').max(512);
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

const effectEntrySchema = z.object({ id: entryIdSchema, key: chatKeySchema, call: effectCallSchema });
const timerEntrySchema = z.object({ id: entryIdSchema, key: chatKeySchema, delayMs: durationMsSchema });

/**
 * The snapshot must survive a trip through JSON, as it does in every other store; it is kept
 * as its JSON text, which also makes every load hand out a fresh copy.
 */
const snapshotJsonSchema = z.unknown().transform((snapshot, ctx) => {
  let json: string | undefined;
  try {
    json = JSON.stringify(snapshot);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `snapshot is not JSON-serialisable: ${String(error)}` });
    return z.NEVER;
  }
  if (json === undefined) {
    ctx.addIssue({ code: 'custom', message: 'snapshot is not JSON-serialisable' });
    return z.NEVER;
  }
  return json;
});

/** The facts kept beside a snapshot. */
export const chatSummarySchema = z.object({
  state: z.string().min(1, 'state must not be empty').max(255),
  stateSince: z.number().nonnegative(),
});

function sameKey(a: { portal: string; chatId: number }, b: { portal: string; chatId: number }): boolean {
  return a.portal === b.portal && a.chatId === b.chatId;
}

/**
 * A commit. Every outbox entry and timer must belong to the committed chat (one chat's events
 * must never write into another's outbox), and ids must be unique within the commit.
 */
export const commitSchema = z
  .object({
    key: chatKeySchema,
    expectedVersion: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    snapshot: snapshotJsonSchema,
    summary: chatSummarySchema,
    eventId: z.string().min(1, 'eventId must not be empty').max(512),
    effects: z.array(effectEntrySchema).max(maxEntriesPerCommit),
    timersToSet: z.array(timerEntrySchema).max(maxEntriesPerCommit),
    timersToCancel: z.array(entryIdSchema).max(maxEntriesPerCommit),
  })
  .superRefine((commit, ctx) => {
    for (const field of ['effects', 'timersToSet'] as const) {
      const seen = new Set<string>();
      commit[field].forEach((entry, index) => {
        if (!sameKey(entry.key, commit.key)) {
          ctx.addIssue({ code: 'custom', path: [field, index, 'key'], message: 'must equal the commit key' });
        }
        if (seen.has(entry.id)) {
          ctx.addIssue({ code: 'custom', path: [field, index, 'id'], message: `duplicate id ${entry.id}` });
        }
        seen.add(entry.id);
      });
    }
  });

/** A commit after validation, with its snapshot as JSON text. */
export type ParsedCommit = z.output<typeof commitSchema>;

/** `claimEffects` options. */
export const claimEffectsOptionsSchema = z.object({
  limit: z.number().int().positive().max(10_000),
  leaseMs: positiveDurationMsSchema,
});

/** `claimDueTimers` options. */
export const claimTimersOptionsSchema = z.object({
  limit: z.number().int().positive().max(10_000),
  visibilityMs: positiveDurationMsSchema,
});

/** What `completeEffect` and `completeTimer` take. */
export const completionSchema = z.object({
  id: entryIdSchema,
  key: chatKeySchema,
  leaseToken: leaseTokenSchema,
});

/** `listChats` filter. */
export const chatListFilterSchema = z
  .object({
    state: z.string().min(1).max(255).optional(),
    olderThanMs: durationMsSchema.optional(),
    portal: portalIdSchema.optional(),
    limit: z.number().int().positive().max(100_000).optional(),
  })
  .default({});

/** Names a routing rotation. */
export const rotationNameSchema = z.string().min(1, 'rotation must not be empty').max(255);
/** An operator's user id. */
export const operatorIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A change to a busy count. */
export const busyDeltaSchema = z.number().int().min(-1_000_000).max(1_000_000);
