import { z } from 'zod';
import { chatIdSchema, portalIdSchema } from './chat-key.js';

const eventIdSchema = z.string().min(1, 'event id must not be empty').max(512);
const userIdSchema = z.number().int().positive();
/** A platform error or transport code: short, printable, never free text. */
const failureCodeSchema = z.string().min(1).max(128);
/** Ids the engine makes for its own outbox entries and timers. */
const internalIdSchema = z.string().min(1).max(256);

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
  /** Sent to the client when this step starts, e.g. "Connecting you to Anna…" (waiting room). */
  waitingMessage: z.string().min(1).max(4_000).optional(),
  /**
   * With a user target: the most chats that user may hold at once, this one included. Checked in
   * the commit that offers the chat: a user already at the limit is skipped (`at-capacity`).
   * Pool strategies set it from their `maxChats`.
   */
  maxChats: z.number().int().positive().max(10_000).optional(),
});
/** One step of a hand-over plan: a target, LEAVE, and how long to wait for an answer. */
export type PlanStep = z.infer<typeof planStepSchema>;

const base = { id: eventIdSchema, portal: portalIdSchema, chatId: chatIdSchema };

/**
 * A message in the chat, from anyone: the client, an employee, or the platform's own notices
 * (`system: true`). Besides the text, every platform message event carries the dialog's owner and
 * the session id, which is how the engine learns of an answer and of a new session.
 */
export const messageEventSchema = z.object({
  ...base,
  type: z.literal('message'),
  author: z.object({ userId: z.number().int().nonnegative(), kind: authorKindSchema }),
  messageId: z.string().max(128).optional(),
  text: z.string().max(100_000).optional(),
  /** The open line the chat belongs to, when known (for routing rules). */
  lineId: z.number().int().positive().optional(),
  /**
   * A notice the platform posted (`SYSTEM=Y` / `isSystem`): on answer, on skip, on close. Never an
   * answer by itself, whoever it names as its author.
   */
  system: z.boolean().optional(),
  /**
   * The dialog's owner when the message was posted (`CHAT_AUTHOR_ID` / `chat.owner`): `0` while
   * nobody has answered, the operator's id once one has. The engine's primary answer signal.
   */
  ownerId: z.number().int().nonnegative().optional(),
  /** The platform's session id (`CHAT_ENTITY_DATA_1`, field 6): a new one means a new session. */
  sessionId: z.number().int().positive().optional(),
  /** The bot that received the event; an owner equal to it is the bot itself, not an answer. */
  botId: z.number().int().positive().optional(),
});

/**
 * The bot joined an Open Lines chat (`ONIMBOTJOINCHAT` / `ONIMBOTV2JOINCHAT`): the platform starts
 * a new session and the bot holds the chat again. Whatever the chat was doing ends.
 */
export const botJoinedEventSchema = z.object({
  ...base,
  type: z.literal('bot.joined'),
  /** The new session's id, when the event carries it; a join into the current session changes nothing. */
  sessionId: z.number().int().positive().optional(),
  lineId: z.number().int().positive().optional(),
  botId: z.number().int().positive().optional(),
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

/** What a failure says about the call (`FailureKind` of the `Transport` contract). */
export const failureKindSchema = z.enum(['target', 'budget', 'transient']);

/** The outcome of a platform call recorded in the outbox. Produced by the engine. */
export const effectResultEventSchema = z.object({
  ...base,
  type: z.literal('effect.result'),
  effectId: internalIdSchema,
  outcome: z.discriminatedUnion('ok', [
    z.object({
      ok: z.literal(true),
      /** For `readDialogOwner`: the dialog's owner, `0` while nobody answered. */
      ownerId: z.number().int().nonnegative().optional(),
      /** For `removeBot`: the bot was no longer a member. */
      alreadyGone: z.boolean().optional(),
      /** For `readDialogOwner`: whether the bot is still a member, when the transport could tell. */
      botPresent: z.boolean().optional(),
    }),
    z.object({
      ok: z.literal(false),
      code: failureCodeSchema,
      retryable: z.boolean(),
      retryAfterMs: z.number().int().nonnegative().optional(),
      /** What the failure says about the call: `target` (the default), `budget` or `transient`. */
      kind: failureKindSchema.optional(),
      /** The call may have run although it failed: a transfer is verified before it is repeated. */
      outcomeUnknown: z.boolean().optional(),
      /** No request left the process (a rate grant not given in time): not charged to the step. */
      notSent: z.boolean().optional(),
      /** The transport's description of the failure, cut to 500 characters. */
      message: z.string().max(1_000).optional(),
    }),
  ]),
});

/** A durable timer came due. Produced by the engine. */
export const timerFiredEventSchema = z.object({
  ...base,
  type: z.literal('timer.fired'),
  timerId: internalIdSchema,
});

/**
 * Every event a caller may give `engine.dispatch()`: what happened on the platform, and requests.
 * The engine's own events (`effect.result`, `timer.fired`) are not among them: only the engine
 * knows the outcome of its calls and when its timers are due.
 */
export const batonEventSchema = z.discriminatedUnion('type', [
  messageEventSchema,
  transferRequestEventSchema,
  operatorAnsweredEventSchema,
  operatorSkippedEventSchema,
  botRemovedEventSchema,
  botJoinedEventSchema,
  sessionFinishedEventSchema,
]);

/** The events the engine makes itself: call outcomes and fired timers. */
export const internalEventSchema = z.discriminatedUnion('type', [
  effectResultEventSchema,
  timerFiredEventSchema,
]);

/** Every event the lifecycle handles: the callers' and the engine's own. */
export const lifecycleEventSchema = z.discriminatedUnion('type', [
  ...batonEventSchema.options,
  ...internalEventSchema.options,
]);

/** An event a caller may dispatch, after validation. */
export type BatonEvent = z.output<typeof batonEventSchema>;
/** An event as a caller may write it (defaults not yet applied). */
export type BatonEventInput = z.input<typeof batonEventSchema>;
/** An event the engine makes itself (a call's outcome, a fired timer). */
export type InternalEvent = z.output<typeof internalEventSchema>;
/** Any event the lifecycle handles, after validation. */
export type LifecycleEvent = z.output<typeof lifecycleEventSchema>;
/** Any event the lifecycle handles, as written. */
export type LifecycleEventInput = z.input<typeof lifecycleEventSchema>;
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
/** The bot joined the chat: a new platform session. */
export type BotJoinedEvent = z.output<typeof botJoinedEventSchema>;
/** The platform session finished. */
export type SessionFinishedEvent = z.output<typeof sessionFinishedEventSchema>;
/** A platform call's outcome (produced by the engine). */
export type EffectResultEvent = z.output<typeof effectResultEventSchema>;
/** A durable timer came due (produced by the engine). */
export type TimerFiredEvent = z.output<typeof timerFiredEventSchema>;
