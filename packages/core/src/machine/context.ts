import { z } from 'zod';
import { chatIdSchema, portalIdSchema } from '../chat-key.js';
import { failureKindSchema, planStepSchema, transferTargetSchema } from '../events.js';

/** The names of the lifecycle's states. */
export const chatStates = ['bot', 'transferring', 'awaitingOperator', 'operator', 'closed'] as const;
/** Who holds the chat: `bot`, a hand-over in flight (`transferring`), waiting for an answer (`awaitingOperator`), `operator`, or `closed`. */
export type ChatState = (typeof chatStates)[number];

const timerIdSchema = z.string().nullable();
const failureSchema = z.object({
  code: z.string(),
  retryable: z.boolean(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  kind: failureKindSchema.optional(),
  outcomeUnknown: z.boolean().optional(),
  notSent: z.boolean().optional(),
  message: z.string().max(1_000).optional(),
});

/** Everything the machine remembers about one chat. Plain JSON, validated whenever it is read back. */
export const chatContextSchema = z.object({
  portal: portalIdSchema,
  chatId: chatIdSchema,
  /** Counts platform sessions seen by this chat; a client message after `closed` starts the next one. */
  session: z.number().int().positive(),
  /** Source of unique ids for effects and timers within this chat. */
  seq: z.number().int().nonnegative(),
  plan: z.array(planStepSchema),
  /** The plan step being tried. */
  step: z.number().int().nonnegative(),
  /** Transfer attempts on the current step (1 for the first call). */
  attempt: z.number().int().nonnegative(),
  /** Of those attempts, how many failed for reasons of the way, not the target (`kind` `budget` or `transient`). */
  infrastructureFailures: z.number().int().nonnegative().default(0),
  /** Dialog reads made on the current step to settle a transfer whose outcome was unknown. */
  verifyReads: z.number().int().nonnegative().default(0),
  /** Whether the bot is still a member of the chat. */
  botPresent: z.boolean(),
  /** Removal calls made since the operator answered. */
  removalAttempt: z.number().int().nonnegative(),
  operatorId: z.number().int().positive().nullable(),
  /**
   * The last failure of the hand-over: a platform code, or `CONFIRMATION_TIMEOUT`,
   * `OPERATOR_SKIPPED`; with the transport's message (cut to 500 characters), the plan step and
   * target it concerned, and when it was recorded (engine clock). Records written before these
   * details existed carry only `code` and `retryable`.
   */
  lastError: z
    .object({
      code: z.string(),
      retryable: z.boolean(),
      message: z.string().max(1_000).optional(),
      step: z.number().int().nonnegative().optional(),
      target: transferTargetSchema.optional(),
      at: z.number().nonnegative().optional(),
    })
    .nullable(),
  /** The outbox entry whose result the current state waits for; results of any other are stale. */
  awaitedEffect: z.string().nullable(),
  confirmationTimer: timerIdSchema,
  retryTimer: timerIdSchema,
  pollTimer: timerIdSchema,
  reason: z.string().nullable(),
  /** A message still to be sent before the transfer call of this hand-over. */
  announcement: z.string().nullable().default(null),
  /** The platform's own session id, once an event carried it; a larger one starts a new session. */
  platformSession: z.number().int().positive().nullable().default(null),
  /**
   * A transfer reached the platform in this session: the bot is no longer the session's operator,
   * so a client's `0` is an ordinary message, and an operator may still answer after a failed plan.
   */
  handedOver: z.boolean().default(false),
  /** An answer seen while the current step's transfer call was in flight, settled by its outcome. */
  pendingAnswer: z.number().int().positive().nullable().default(null),
  /**
   * The awaited transfer, withdrawn because an answer came first: not made if no worker has
   * started it yet (its outcome is then `WITHDRAWN`), settled by its outcome if one has.
   */
  withdrawnEffect: z.string().nullable().default(null),
  /** A transfer failure whose outcome is unknown (timeout, reset): the platform is read before it counts. */
  verifying: failureSchema.nullable().default(null),
  /** Operator resets of this chat (`resetChat`), oldest first, the last ten kept. */
  resets: z
    .array(z.object({ at: z.number().nonnegative(), reason: z.string().max(500), code: z.string() }))
    .max(10),
  /** Waiting-room messages still to be sent; dropped (and so never sent) once the chat stops waiting. */
  waitingMessages: z.array(z.string()).max(100),
  /** The repeating "still waiting" timer while the chat waits for an operator. */
  waitTimer: timerIdSchema,
  /** How often the "still waiting" timer fired in this hand-over. */
  waitTicks: z.number().int().nonnegative(),
  /** The last plan step whose own waiting message was sent (`-1`: none yet). */
  greetedStep: z.number().int().min(-1),
  /** Steps of this hand-over skipped without a call, and why (out of hours, operator away, at capacity). */
  skips: z
    .array(
      z.object({
        step: z.number().int().nonnegative(),
        reason: z.enum(['out-of-hours', 'operator-unavailable', 'at-capacity']),
      }),
    )
    .max(32),
});

/** Everything the machine remembers about one chat. */
export type ChatContext = z.infer<typeof chatContextSchema>;

/** The context of a chat nobody has written to yet. */
export function initialChatContext(portal: string, chatId: number): ChatContext {
  return {
    portal,
    chatId,
    session: 1,
    seq: 0,
    plan: [],
    step: 0,
    attempt: 0,
    infrastructureFailures: 0,
    verifyReads: 0,
    botPresent: true,
    removalAttempt: 0,
    operatorId: null,
    lastError: null,
    awaitedEffect: null,
    confirmationTimer: null,
    retryTimer: null,
    pollTimer: null,
    reason: null,
    announcement: null,
    platformSession: null,
    handedOver: false,
    pendingAnswer: null,
    withdrawnEffect: null,
    verifying: null,
    resets: [],
    waitingMessages: [],
    waitTimer: null,
    waitTicks: 0,
    greetedStep: -1,
    skips: [],
  };
}
