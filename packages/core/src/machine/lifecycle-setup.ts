import { assign, enqueueActions, setup } from 'xstate';
import { type ChatContext, initialChatContext } from './context.js';
import {
  belongsToStep,
  canRetry,
  currentStep,
  failureOf,
  firedTimer,
  firstAvailableStep,
  hasNextStep,
  isAwaitedResult,
  isAwaitedSuccess,
  isVerifyResult,
  leavesOnTransfer,
  nextId,
  verifiedDialog,
} from './decisions.js';
import { describeFailure, eventTime } from './failure-record.js';
import type { CancelInstruction, EffectInstruction, Notice, ScheduleInstruction } from './instructions.js';
import { answerOf, isClientLeavingBot, isClientZero, type MachineEvent } from './machine-events.js';
import { stepNotice } from './notices.js';
import { type ResolvedLifecycleOptions, retryDelayMs } from './options.js';
import { eventSession, sessionGuards } from './sessions.js';
import { skipsBetween } from './skips.js';
import { isWaitingRoomMessage, waitingMessage } from './waiting-room.js';

/** Input of a new chat's machine. */
export interface LifecycleInput {
  readonly portal: string;
  readonly chatId: number;
}

type Args = { context: ChatContext; event: MachineEvent };

/** The answer an event carries, as an operator id (`null`: an answer that names nobody). */
const answeringOperator = (event: MachineEvent): number | null => {
  const answer = answerOf(event);
  return answer === null || answer === 0 ? null : answer;
};

/**
 * The lifecycle's types, named actions and guards. The instruction actions (`effect`, `schedule`,
 * `cancel`, `notify`) do nothing when run: the engine reads them from `transition()`'s result.
 */
export function createLifecycleSetup(config: ResolvedLifecycleOptions) {
  return setup({
    types: {
      context: {} as ChatContext,
      events: {} as MachineEvent,
      input: {} as LifecycleInput,
    },
    actions: {
      effect: (_: unknown, _params: EffectInstruction) => {},
      schedule: (_: unknown, _params: ScheduleInstruction) => {},
      cancel: (_: unknown, _params: CancelInstruction) => {},
      notify: (_: unknown, _params: Notice) => {},
      recordFailure: assign(({ context, event }: Args) => ({
        lastError: describeFailure(failureOf(event, context), context, event),
      })),
      recordSkip: assign(({ context, event }: Args) => ({
        lastError: describeFailure(
          { code: 'OPERATOR_SKIPPED', retryable: false, message: 'The operator skipped the chat' },
          context,
          event,
        ),
      })),
      recordTimeout: assign(({ context, event }: Args) => ({
        lastError: describeFailure(
          {
            code: 'CONFIRMATION_TIMEOUT',
            retryable: false,
            message: "No operator answered within the step's confirmation timeout",
          },
          context,
          event,
        ),
      })),
      nextStep: enqueueActions(({ context, event, enqueue }) => {
        // Steps that cannot succeed now are skipped here, in the commit that starts the next one.
        const next = firstAvailableStep(context, event, context.step + 1);
        const step = next === -1 ? context.step + 1 : next;
        const { notices, skips } = skipsBetween(context, event, context.step + 1, step);
        for (const notice of notices) enqueue({ type: 'notify', params: notice });
        enqueue.assign({ step, skips, attempt: 1, infrastructureFailures: 0, verifyReads: 0 });
        const text = config.waitingRoom.fallbackMessage;
        if (text !== undefined) enqueue.assign(waitingMessage(enqueue, context, text));
      }),
      /** The plan starts at its first step that can succeed now; the ones before are skipped. */
      startAtFirstAvailable: enqueueActions(({ context, event, enqueue }) => {
        const first = firstAvailableStep(context, event, 0);
        const { notices, skips } = skipsBetween(context, event, 0, first);
        for (const notice of notices) enqueue({ type: 'notify', params: notice });
        enqueue.assign({ step: first, skips });
      }),
      /** Every step of the requested plan was skipped: nobody can take the chat now, and the bot keeps it. */
      noOneAvailable: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'transfer.request') return;
        const planned = { ...context, plan: event.plan, skips: [] };
        const { notices, skips } = skipsBetween(planned, event, 0, event.plan.length);
        for (const notice of notices) enqueue({ type: 'notify', params: notice });
        enqueue({
          type: 'notify',
          params: {
            type: 'handoff.failed',
            code: 'NO_ONE_AVAILABLE',
            steps: event.plan.length,
            reason: 'no-one-available',
          },
        });
        enqueue.assign({
          skips,
          lastError: {
            code: 'NO_ONE_AVAILABLE',
            retryable: true,
            message: 'Every plan step was skipped: out of working hours, its operator away or at capacity',
          },
        });
        const room = config.waitingRoom;
        const text = room.outOfHoursMessage ?? room.exhaustedMessage;
        if (text !== undefined) enqueue.assign(waitingMessage(enqueue, context, text, 'notice'));
      }),
      /** The hand-over starts: the waiting room opens, with its repeating "still waiting" timer if configured. */
      openWaitingRoom: enqueueActions(({ context, enqueue }) => {
        enqueue({ type: 'cancel', params: { id: context.waitTimer } });
        const base = {
          waitingMessages: context.waitingMessages.filter((id) => !isWaitingRoomMessage(id)),
          waitTicks: 0,
          greetedStep: -1,
          waitTimer: null,
        };
        const every = config.waitingRoom.stillWaiting?.everyMs;
        if (every === undefined) {
          enqueue.assign(base);
          return;
        }
        const id = nextId(context, 'wait');
        enqueue.assign({ ...base, waitTimer: id, seq: context.seq + 1 });
        enqueue({ type: 'schedule', params: { id, delayMs: every } });
      }),
      /** A step starts: its own waiting message, once per step (a retry of the step re-enters). */
      greetStep: enqueueActions(({ context, enqueue }) => {
        if (context.greetedStep >= context.step) return;
        const text = currentStep(context).waitingMessage;
        enqueue.assign({
          greetedStep: context.step,
          ...(text === undefined ? {} : waitingMessage(enqueue, context, text)),
        });
      }),
      /** The "still waiting" timer fired: say so, with the minutes waited, and set the next one. */
      sayStillWaiting: enqueueActions(({ context, enqueue }) => {
        const stillWaiting = config.waitingRoom.stillWaiting;
        if (stillWaiting === undefined) return;
        const waitTicks = context.waitTicks + 1;
        const minutes = Math.round((waitTicks * stillWaiting.everyMs) / 60_000);
        const said = waitingMessage(
          enqueue,
          context,
          stillWaiting.text.replaceAll('{minutes}', String(minutes)),
        );
        const waitTimer = `wait:${context.session}.${said.seq + 1}`;
        enqueue.assign({ ...said, waitTicks, waitTimer, seq: said.seq + 1 });
        enqueue({ type: 'schedule', params: { id: waitTimer, delayMs: stillWaiting.everyMs } });
      }),
      /** The chat no longer waits: its timer stops and waiting-room messages not yet sent never will be. */
      leaveWaitingRoom: enqueueActions(({ context, enqueue }) => {
        if (context.waitTimer === null && !context.waitingMessages.some(isWaitingRoomMessage)) return;
        enqueue({ type: 'cancel', params: { id: context.waitTimer } });
        enqueue.assign({
          waitTimer: null,
          waitingMessages: context.waitingMessages.filter((id) => !isWaitingRoomMessage(id)),
        });
      }),
      /** A waiting-room message was sent (or could not be): nothing more to wait for. */
      forgetWaitingMessage: assign(({ context, event }: Args) => ({
        waitingMessages: context.waitingMessages.filter(
          (id) => event.type !== 'effect.result' || id !== event.effectId,
        ),
      })),
      /** A call that was never sent: its retry is not another attempt (the retry timer adds one back). */
      uncountAttempt: assign(({ context }: Args) => ({ attempt: context.attempt - 1 })),
      countInfrastructureFailure: assign(({ context, event }: Args) =>
        (failureOf(event, context).kind ?? 'target') !== 'target'
          ? { infrastructureFailures: context.infrastructureFailures + 1 }
          : {},
      ),
      handoffFailed: enqueueActions(({ context, event, enqueue }) => {
        // Steps left that cannot succeed now are skipped (and recorded) rather than tried.
        const left = skipsBetween(context, event, context.step + 1, context.plan.length);
        for (const notice of left.notices) enqueue({ type: 'notify', params: notice });
        enqueue.assign({ skips: left.skips });
        const failure = context.lastError;
        enqueue({
          type: 'notify',
          params: {
            type: 'handoff.failed',
            code: failure?.code ?? 'UNKNOWN',
            steps: context.plan.length,
            ...(failure?.message === undefined ? {} : { message: failure.message }),
            ...(failure?.step === undefined ? {} : { step: failure.step }),
            ...(failure?.target === undefined ? {} : { target: failure.target }),
            reason: 'exhausted',
          },
        });
        enqueue.assign({ plan: [], step: 0, attempt: 0 });
        // Said after the chat left the waiting room, so it is kept when the room's messages are dropped.
        const text = config.waitingRoom.exhaustedMessage;
        if (text !== undefined) enqueue.assign(waitingMessage(enqueue, context, text, 'notice'));
      }),
      botGoneByClient: enqueueActions(({ context, enqueue }) => {
        if (!context.botPresent) return;
        enqueue.assign({ botPresent: false });
        enqueue({ type: 'notify', params: { type: 'bot.left', reason: 'clientLeftBot' } });
      }),
      botGoneFromOutside: enqueueActions(({ context, event, enqueue }) => {
        if (!context.botPresent) return;
        enqueue.assign({ botPresent: false });
        const reason = event.type === 'bot.removed' ? event.reason : 'unknown';
        enqueue({ type: 'notify', params: { type: 'bot.left', reason } });
      }),
      /** An operator answered, as the event says (a message, its owner field, or an explicit answer). */
      operatorAnswered: enqueueActions(({ event, enqueue }) => {
        const operatorId = answeringOperator(event);
        const source = event.type === 'operator.answered' ? event.source : 'message';
        enqueue.assign({ operatorId });
        enqueue({ type: 'notify', params: { type: 'operator.answered', operatorId, source } });
      }),
      /** The answer seen while the transfer was in flight holds: the transfer did not move the chat. */
      pendingAnswerHolds: enqueueActions(({ context, enqueue }) => {
        enqueue.assign({ operatorId: context.pendingAnswer });
        enqueue({
          type: 'notify',
          params: { type: 'operator.answered', operatorId: context.pendingAnswer, source: 'message' },
        });
      }),
      /** An answer while this step's transfer may be in flight: withdraw the call, and let its outcome settle the answer. */
      /** Entering a state past `transferring`: nothing of that step's settling is left over. */
      clearSettling: assign({ pendingAnswer: null, withdrawnEffect: null, verifying: null }),
      rememberAnswer: assign(({ context, event }: Args) => ({
        pendingAnswer: answeringOperator(event),
        withdrawnEffect: context.verifying === null ? context.awaitedEffect : null,
      })),
      /** The dialog read shows an owner: that operator answered. */
      ownerAnswered: enqueueActions(({ event, enqueue }) => {
        const ownerId = event.type === 'effect.result' && event.outcome.ok ? (event.outcome.ownerId ?? 0) : 0;
        const operatorId = ownerId > 0 ? ownerId : null;
        enqueue.assign({ operatorId });
        enqueue({ type: 'notify', params: { type: 'operator.answered', operatorId, source: 'poll' } });
      }),
      transferSucceeded: enqueueActions(({ context, enqueue }) => {
        enqueue.assign({ handedOver: true });
        enqueue({ type: 'notify', params: { type: 'transfer.succeeded', ...stepNotice(context) } });
      }),
      /** With LEAVE=Y to a user the platform removed the bot; that user holds the chat from now on. */
      botLeftOnTransfer: enqueueActions(({ context, enqueue }) => {
        const { target } = currentStep(context);
        enqueue.assign({ botPresent: false, operatorId: target.kind === 'user' ? target.userId : null });
        enqueue({ type: 'notify', params: { type: 'bot.left', reason: 'leaveOnTransfer' } });
      }),
      /** The transfer's outcome is unknown: read the dialog before deciding whether to repeat it. */
      verifyTransfer: enqueueActions(({ context, event, enqueue }) => {
        const id = nextId(context, 'verify');
        enqueue.assign({
          verifying: failureOf(event, context),
          verifyReads: context.verifyReads + 1,
          awaitedEffect: id,
          seq: context.seq + 1,
        });
        enqueue({ type: 'effect', params: { id, call: { kind: 'readDialogOwner' } } });
      }),
      /** Reads the dialog now: an answer that may belong to a step the plan has left is settled by the platform. */
      readOwnerNow: enqueueActions(({ context, enqueue }) => {
        const id = nextId(context, 'poll');
        enqueue({ type: 'cancel', params: { id: context.pollTimer } });
        enqueue.assign({ pollTimer: null, awaitedEffect: id, seq: context.seq + 1 });
        enqueue({ type: 'effect', params: { id, call: { kind: 'readDialogOwner' } } });
      }),
      // Retries back off exponentially from the attempt count of what is retried.
      scheduleTransferRetry: enqueueActions(({ context, event, enqueue }) => {
        const id = nextId(context, 'retry');
        const delayMs = retryDelayMs(config, context.attempt, failureOf(event, context).retryAfterMs);
        enqueue.assign({ retryTimer: id, seq: context.seq + 1, verifying: null });
        enqueue({ type: 'schedule', params: { id, delayMs } });
      }),
      scheduleRemovalRetry: enqueueActions(({ context, event, enqueue }) => {
        const id = nextId(context, 'retry');
        enqueue.assign({ retryTimer: id, seq: context.seq + 1 });
        const delayMs = retryDelayMs(config, context.removalAttempt, failureOf(event, context).retryAfterMs);
        enqueue({ type: 'schedule', params: { id, delayMs } });
      }),
      /** A client writes after `closed`: a fresh context that keeps the chat's id sequence. */
      reopenSession: assign(({ context, event }: Args) => ({
        ...initialChatContext(context.portal, context.chatId),
        session: context.session + 1,
        seq: context.seq,
        platformSession: eventSession(event) ?? context.platformSession,
        resets: context.resets,
      })),
      /**
       * The platform started a new session: whatever the chat was doing is over (its timers are
       * cancelled by the states' exits, its pending calls are no longer awaited) and the bot holds it.
       */
      startNewSession: enqueueActions(({ context, event, enqueue }) => {
        const platformSession = eventSession(event) ?? null;
        enqueue.assign({
          ...initialChatContext(context.portal, context.chatId),
          session: context.session + 1,
          seq: context.seq,
          platformSession,
          resets: context.resets,
        });
        enqueue({ type: 'notify', params: { type: 'session.started', platformSession } });
      }),
      adoptSession: assign(({ event }: Args) => ({ platformSession: eventSession(event) ?? null })),
      /** Forgets a pending bot removal: its retry timer is cancelled and a late result is stale. */
      dropRemoval: enqueueActions(({ context, enqueue }) => {
        enqueue({ type: 'cancel', params: { id: context.retryTimer } });
        enqueue.assign({ retryTimer: null, awaitedEffect: null });
      }),
      /** Sends the hand-over's announcement first, if any; otherwise calls the platform for the current step. */
      requestTransfer: enqueueActions(({ context, enqueue }) => {
        if (context.announcement !== null) {
          const id = nextId(context, 'announce');
          enqueue.assign({ awaitedEffect: id, seq: context.seq + 1 });
          enqueue({
            type: 'effect',
            params: { id, call: { kind: 'sendBotMessage', text: context.announcement } },
          });
          return;
        }
        const id = nextId(context, 'transfer');
        const step = currentStep(context);
        enqueue.assign({
          awaitedEffect: id,
          seq: context.seq + 1,
          verifying: null,
          pendingAnswer: null,
          withdrawnEffect: null,
        });
        enqueue({
          type: 'effect',
          params: { id, call: { kind: 'transfer', target: step.target, leave: step.leave } },
        });
        enqueue({
          type: 'notify',
          params: { type: 'transfer.requested', ...stepNotice(context), attempt: context.attempt },
        });
      }),
      /**
       * The next poll comes due at the next multiple of the interval (by the event's time): the
       * polls of every chat waiting come due together, and the engine reads them in one request
       * per portal. A chat still polls at least once an interval.
       */
      schedulePoll: enqueueActions(({ context, event, enqueue }) => {
        const every = config.confirmationPollIntervalMs;
        if (every === false) return;
        const id = nextId(context, 'poll');
        const at = eventTime(event);
        const delayMs = at === undefined ? every : every - (at % every);
        enqueue.assign({ pollTimer: id, seq: context.seq + 1 });
        enqueue({ type: 'schedule', params: { id, delayMs } });
      }),
    },
    guards: {
      ...sessionGuards,
      isAwaitedResult: (args: Args) => isAwaitedResult(args),
      isAnnouncementResult: (args: Args) => isAwaitedResult(args) && args.context.announcement !== null,
      isAwaitedSuccess: (args: Args) => isAwaitedSuccess(args),
      transferLeftBot: (args: Args) => isAwaitedSuccess(args) && leavesOnTransfer(args.context),
      /** The transfer succeeded, and the answer seen meanwhile came from this step's own target. */
      succeededAndAnswered: (args: Args) =>
        isAwaitedSuccess(args) &&
        args.context.pendingAnswer !== null &&
        belongsToStep(args.context, args.context.pendingAnswer),
      /** The transfer failed (or could not be settled) after an answer was seen: that answer holds. */
      failedAfterAnswer: (args: Args) =>
        isAwaitedResult(args) && !isAwaitedSuccess(args) && args.context.pendingAnswer !== null,
      hasUnknownOutcome: (args: Args) =>
        isAwaitedResult(args) &&
        args.context.verifying === null &&
        args.event.type === 'effect.result' &&
        !args.event.outcome.ok &&
        args.event.outcome.outcomeUnknown === true,
      verifiedAnswer: (args: Args) => (verifiedDialog(args)?.ownerId ?? 0) > 0,
      verifiedBotLeft: (args: Args) =>
        leavesOnTransfer(args.context) && verifiedDialog(args)?.botPresent === false,
      /** Nobody owns the dialog although an answer was seen: the transfer was made after it, and moved the chat. */
      verifiedTransferAfterAnswer: (args: Args) =>
        args.context.pendingAnswer !== null && verifiedDialog(args) !== null,
      isVerifyResult: (args: Args) => isVerifyResult(args),
      /** The awaited transfer was never sent (no rate grant in time): retried, not charged to the step. */
      wasNotSent: (args: Args) =>
        isAwaitedResult(args) &&
        args.context.verifying === null &&
        args.event.type === 'effect.result' &&
        !args.event.outcome.ok &&
        args.event.outcome.notSent === true,
      // Every retry must fit the step's request budget; the target's own refusals also use up its attempts.
      canRetryTransfer: (args: Args) => {
        const failure = failureOf(args.event, args.context);
        // The next transfer, and the dialog read that settles it should its outcome be unknown too.
        const nextCost = failure.outcomeUnknown === true ? 2 : 1;
        if (args.context.attempt + args.context.verifyReads + nextCost > config.maxStepRequests) return false;
        return (failure.kind ?? 'target') === 'target'
          ? canRetry(
              args,
              args.context.attempt - args.context.infrastructureFailures,
              config.maxTransferAttempts,
            )
          : canRetry(args, 0, 1);
      },
      // A bot that left meanwhile needs no further removal call.
      canRetryRemoval: (args: Args) =>
        args.context.botPresent && canRetry(args, args.context.removalAttempt, config.maxRemovalAttempts),
      hasNextStep: (args: Args) => hasNextStep(args),
      awaitedFailureWithNextStep: (args: Args) => isAwaitedResult(args) && hasNextStep(args),
      isWaitTimer: (args: Args) =>
        args.context.waitTimer !== null && firedTimer(args) === args.context.waitTimer,
      isWaitingMessageResult: ({ context, event }: Args) =>
        event.type === 'effect.result' && context.waitingMessages.includes(event.effectId),
      isRetryTimer: (args: Args) =>
        args.context.retryTimer !== null && firedTimer(args) === args.context.retryTimer,
      isPollTimer: (args: Args) =>
        args.context.pollTimer !== null && firedTimer(args) === args.context.pollTimer,
      isConfirmationTimer: (args: Args) =>
        args.context.confirmationTimer !== null && firedTimer(args) === args.context.confirmationTimer,
      confirmationTimeoutWithNextStep: (args: Args) =>
        args.context.confirmationTimer !== null &&
        firedTimer(args) === args.context.confirmationTimer &&
        hasNextStep(args),
      ownerAnswered: ({ context, event }: Args) =>
        event.type === 'effect.result' &&
        event.effectId === context.awaitedEffect &&
        event.outcome.ok &&
        (event.outcome.ownerId ?? 0) > 0,
      /** An answer of the step being tried. */
      isAnswer: ({ context, event }: Args) => {
        const answer = answerOf(event);
        return answer !== null && belongsToStep(context, answer);
      },
      /** An answer that may belong to a step the plan has left. */
      isForeignAnswer: ({ context, event }: Args) => {
        const answer = answerOf(event);
        return answer !== null && !belongsToStep(context, answer);
      },
      /** Any answer, with no transfer call of this step pending: nothing can overtake it. */
      isAnswerWithNoCallPending: ({ context, event }: Args) =>
        answerOf(event) !== null && (context.retryTimer !== null || context.announcement !== null),
      hasAnyAnswer: ({ event }: Args) => answerOf(event) !== null,
      /** After a plan failed the platform still offers the chat to its last target: an answer may still come. */
      isLateAnswer: ({ context, event }: Args) => context.handedOver && answerOf(event) !== null,
      /** A skip by the operator this step waits for (or one that names nobody). */
      isStepSkip: ({ context, event }: Args) =>
        event.type === 'operator.skipped' &&
        (event.operatorId === undefined || belongsToStep(context, event.operatorId)),
      isStepSkipWithNextStep: (args: Args) =>
        args.event.type === 'operator.skipped' &&
        (args.event.operatorId === undefined || belongsToStep(args.context, args.event.operatorId)) &&
        hasNextStep(args),
      isClientLeavingBot: ({ context, event }: Args) => isClientLeavingBot(event, context),
      isClientZero: ({ event }: Args) => isClientZero(event),
      hasPlan: ({ event }: Args) => event.type === 'transfer.request' && event.plan.length > 0,
      /** A plan whose every step the engine found unavailable (out of hours, operators away). */
      noStepAvailable: ({ context, event }: Args) =>
        event.type === 'transfer.request' &&
        event.plan.length > 0 &&
        firstAvailableStep({ ...context, plan: event.plan }, event, 0) === -1,
      isClientMessage: ({ event }: Args) => event.type === 'message' && event.author.kind === 'client',
    },
  });
}

/** The setup every state of the lifecycle is built with. */
export type LifecycleSetup = ReturnType<typeof createLifecycleSetup>;
