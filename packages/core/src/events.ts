import { z } from 'zod';
import { chatIdSchema, portalIdSchema } from './chat-key.js';

const eventIdSchema = z.string().min(1, 'event id must not be empty').max(512);
const userIdSchema = z.number().int().positive();

/** Who wrote a message, as the transport classified the author. */
export const authorKindSchema = z.enum(['client', 'operator', 'bot', 'connector', 'system']);
/** `client` (the customer), `operator` (an employee), `bot`, `connector` (a connector's technical user), `system`. */
export type AuthorKind = z.infer<typeof authorKindSchema>;

/** A transfer target: an employee or an open line's queue. */
export const transferTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), userId: userIdSchema }),
  z.object({ kind: z.literal('queue'), queueId: userIdSchema }),
]);

/**
 * LEAVE, as the platform writes it (`'Y'` / `'N'`) or as a boolean; read as a boolean. Anything
 * else is refused rather than silently taken as `N` the way the platform does.
 */
export const leaveSchema = z
  .union([z.boolean(), z.enum(['Y', 'N'])])
  .transform((leave) => leave === true || leave === 'Y');

/** One step of a hand-over plan. */
export const planStepSchema = z.object({
  target: transferTargetSchema,
  /** `LEAVE=Y` (`true` or `'Y'`): with a user target the bot leaves at once. The platform ignores it for queues. */
  leave: leaveSchema,
  /** How long to wait for an operator to answer before trying the next step. */
  confirmationTimeoutMs: z.number().int().positive().max(86_400_000),
});
/** One step of a hand-over plan: a target, LEAVE, and how long to wait for an answer. */
export type PlanStep = z.infer<typeof planStepSchema>;

const base = { id: eventIdSchema, portal: portalIdSchema, chatId: chatIdSchema };

/** A message in the chat, from anyone. An operator's message while awaiting one means "answered". */
export const messageEventSchema = z.object({
  ...base,
  type: z.literal('message'),
  author: z.object({ userId: z.number().int().nonnegative(), kind: authorKindSchema }),
  messageId: z.string().max(128).optional(),
  text: z.string().max(100_000).optional(),
  /** The open line the chat belongs to, when known (for routing rules). */
  lineId: z.number().int().positive().optional(),
});

/**
 * Ask for a hand-over. Give a whole `plan`, or one `target` (with `leave` and a timeout), or
 * neither and let the engine's router decide.
 */
export const transferRequestEventSchema = z.object({
  ...base,
  type: z.literal('transfer.request'),
  plan: z.array(planStepSchema).min(1).max(32).optional(),
  target: transferTargetSchema.optional(),
  leave: leaveSchema.optional(),
  confirmationTimeoutMs: planStepSchema.shape.confirmationTimeoutMs.optional(),
  reason: z.string().max(1_000).optional(),
  /**
   * A message the bot sends into the chat before the first transfer call, e.g. "Connecting you to
   * an operator…". Sent once per hand-over; if it fails, the transfer goes ahead anyway.
   */
  announcement: z.string().min(1).max(4_000).optional(),
  lineId: z.number().int().positive().optional(),
});

/** An operator answered: seen in a message, read by polling the dialog's owner, or said explicitly. */
export const operatorAnsweredEventSchema = z.object({
  ...base,
  type: z.literal('operator.answered'),
  operatorId: userIdSchema.optional(),
  source: z.enum(['message', 'poll', 'explicit']),
});

/** The operator skipped the chat: try the plan's next step. */
export const operatorSkippedEventSchema = z.object({
  ...base,
  type: z.literal('operator.skipped'),
  operatorId: userIdSchema.optional(),
});

/** The bot is no longer in the chat, without the engine asking: the client typed `0`, or it was kicked. */
export const botRemovedEventSchema = z.object({
  ...base,
  type: z.literal('bot.removed'),
  reason: z.enum(['clientLeftBot', 'kicked', 'unknown']).default('unknown'),
});

/** The platform session finished (by anyone). */
export const sessionFinishedEventSchema = z.object({ ...base, type: z.literal('session.finished') });

/** The outcome of a platform call recorded in the outbox. Produced by the engine. */
export const effectResultEventSchema = z.object({
  ...base,
  type: z.literal('effect.result'),
  effectId: z.string().min(1),
  outcome: z.discriminatedUnion('ok', [
    z.object({
      ok: z.literal(true),
      /** For `readDialogOwner`: the dialog's owner, `0` while nobody answered. */
      ownerId: z.number().int().nonnegative().optional(),
      /** For `removeBot`: the bot was no longer a member. */
      alreadyGone: z.boolean().optional(),
    }),
    z.object({
      ok: z.literal(false),
      code: z.string().min(1),
      retryable: z.boolean(),
      retryAfterMs: z.number().int().nonnegative().optional(),
    }),
  ]),
});

/** A durable timer came due. Produced by the engine. */
export const timerFiredEventSchema = z.object({
  ...base,
  type: z.literal('timer.fired'),
  timerId: z.string().min(1),
});

/** Every event the engine accepts. */
export const batonEventSchema = z.discriminatedUnion('type', [
  messageEventSchema,
  transferRequestEventSchema,
  operatorAnsweredEventSchema,
  operatorSkippedEventSchema,
  botRemovedEventSchema,
  sessionFinishedEventSchema,
  effectResultEventSchema,
  timerFiredEventSchema,
]);

/** Every event the engine accepts, after validation. */
export type BatonEvent = z.output<typeof batonEventSchema>;
/** An event as a caller may write it (defaults not yet applied). */
export type BatonEventInput = z.input<typeof batonEventSchema>;
/** A message in the chat. */
export type MessageEvent = z.output<typeof messageEventSchema>;
/** A request for a hand-over. */
export type TransferRequestEvent = z.output<typeof transferRequestEventSchema>;
/** An operator answered. */
export type OperatorAnsweredEvent = z.output<typeof operatorAnsweredEventSchema>;
/** The operator skipped the chat. */
export type OperatorSkippedEvent = z.output<typeof operatorSkippedEventSchema>;
/** The bot left the chat without the engine asking. */
export type BotRemovedEvent = z.output<typeof botRemovedEventSchema>;
/** The platform session finished. */
export type SessionFinishedEvent = z.output<typeof sessionFinishedEventSchema>;
/** A platform call's outcome (produced by the engine). */
export type EffectResultEvent = z.output<typeof effectResultEventSchema>;
/** A durable timer came due (produced by the engine). */
export type TimerFiredEvent = z.output<typeof timerFiredEventSchema>;
