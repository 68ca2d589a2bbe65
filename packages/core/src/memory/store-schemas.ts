import { z } from 'zod';
import { chatKeySchema, portalIdSchema } from '../chat-key.js';
import { commitSchemaWith } from '../contracts/commit-schema.js';
import { durationMsSchema, positiveDurationMsSchema } from './input.js';

const entryIdSchema = z.string().min(1, 'id must not be empty').max(512);
const leaseTokenSchema = z.string().min(1, 'leaseToken must not be empty').max(512);

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

/** A commit, with its snapshot kept as JSON text. */
export const commitSchema = commitSchemaWith(snapshotJsonSchema);

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
