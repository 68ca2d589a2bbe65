import { assign, enqueueActions, setup } from 'xstate';
import { type ChatContext, initialChatContext } from './context.js';
import {
  canRetry,
  currentStep,
  failureOf,
  firedTimer,
  hasNextStep,
  isAwaitedResult,
  isAwaitedSuccess,
  leavesOnTransfer,
  nextId,
} from './decisions.js';
import type { CancelInstruction, EffectInstruction, Notice, ScheduleInstruction } from './instructions.js';
import { isClientLeavingBot, isOperatorMessage, type MachineEvent } from './machine-events.js';
import { stepNotice } from './notices.js';
import { infrastructureFailureCodes, type ResolvedLifecycleOptions, retryDelayMs } from './options.js';

/** Input of a new chat's machine. */
export interface LifecycleInput {
  readonly portal: string;
  readonly chatId: number;
}

type Args = { context: ChatContext; event: MachineEvent };

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
      recordFailure: assign(({ event }: Args) => {
        const { code, retryable } = failureOf(event);
        return { lastError: { code, retryable } };
      }),
      recordSkip: assign({ lastError: { code: 'OPERATOR_SKIPPED', retryable: false } }),
      recordTimeout: assign({ lastError: { code: 'CONFIRMATION_TIMEOUT', retryable: false } }),
      nextStep: assign(({ context }: Args) => ({
        step: context.step + 1,
        attempt: 1,
        infrastructureFailures: 0,
      })),
      countInfrastructureFailure: assign(({ context, event }: Args) =>
        infrastructureFailureCodes.has(failureOf(event).code)
          ? { infrastructureFailures: context.infrastructureFailures + 1 }
          : {},
      ),
      handoffFailed: enqueueActions(({ context, enqueue }) => {
        enqueue({
          type: 'notify',
          params: {
            type: 'handoff.failed',
            code: context.lastError?.code ?? 'UNKNOWN',
            steps: context.plan.length,
          },
        });
        enqueue.assign({ plan: [], step: 0, attempt: 0 });
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
      operatorAnsweredByMessage: enqueueActions(({ event, enqueue }) => {
        const operatorId = event.type === 'message' ? event.author.userId : null;
        enqueue.assign({ operatorId });
        enqueue({ type: 'notify', params: { type: 'operator.answered', operatorId, source: 'message' } });
      }),
      operatorAnsweredExplicitly: enqueueActions(({ event, enqueue }) => {
        if (event.type !== 'operator.answered') return;
        const operatorId = event.operatorId ?? null;
        enqueue.assign({ operatorId });
        enqueue({ type: 'notify', params: { type: 'operator.answered', operatorId, source: event.source } });
      }),
      // Retries back off exponentially from the attempt count of what is retried.
      scheduleTransferRetry: enqueueActions(({ context, event, enqueue }) => {
        const id = nextId(context, 'retry');
        enqueue.assign({ retryTimer: id, seq: context.seq + 1 });
        const delayMs = retryDelayMs(config, context.attempt, failureOf(event).retryAfterMs);
        enqueue({ type: 'schedule', params: { id, delayMs } });
      }),
      scheduleRemovalRetry: enqueueActions(({ context, event, enqueue }) => {
        const id = nextId(context, 'retry');
        enqueue.assign({ retryTimer: id, seq: context.seq + 1 });
        const delayMs = retryDelayMs(config, context.removalAttempt, failureOf(event).retryAfterMs);
        enqueue({ type: 'schedule', params: { id, delayMs } });
      }),
      /** A new session: a fresh context that keeps the chat's id sequence. */
      reopenSession: assign(({ context }: Args) => ({
        ...initialChatContext(context.portal, context.chatId),
        session: context.session + 1,
        seq: context.seq,
      })),
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
        enqueue.assign({ awaitedEffect: id, seq: context.seq + 1 });
        enqueue({
          type: 'effect',
          params: { id, call: { kind: 'transfer', target: step.target, leave: step.leave } },
        });
        enqueue({
          type: 'notify',
          params: { type: 'transfer.requested', ...stepNotice(context), attempt: context.attempt },
        });
      }),
      schedulePoll: enqueueActions(({ context, enqueue }) => {
        if (config.confirmationPollIntervalMs === false) return;
        const id = nextId(context, 'poll');
        enqueue.assign({ pollTimer: id, seq: context.seq + 1 });
        enqueue({ type: 'schedule', params: { id, delayMs: config.confirmationPollIntervalMs } });
      }),
    },
    guards: {
      isAwaitedResult: (args: Args) => isAwaitedResult(args),
      isAnnouncementResult: (args: Args) => isAwaitedResult(args) && args.context.announcement !== null,
      isAwaitedSuccess: (args: Args) => isAwaitedSuccess(args),
      transferLeftBot: (args: Args) => isAwaitedSuccess(args) && leavesOnTransfer(args.context),
      // Failures of the way to the platform have their own budget; the target's failures use up its attempts.
      canRetryTransfer: (args: Args) =>
        infrastructureFailureCodes.has(failureOf(args.event).code)
          ? canRetry(args, args.context.infrastructureFailures, config.maxInfrastructureRetries)
          : canRetry(
              args,
              args.context.attempt - args.context.infrastructureFailures,
              config.maxTransferAttempts,
            ),
      // A bot that left meanwhile needs no further removal call.
      canRetryRemoval: (args: Args) =>
        args.context.botPresent && canRetry(args, args.context.removalAttempt, config.maxRemovalAttempts),
      hasNextStep: (args: Args) => hasNextStep(args),
      awaitedFailureWithNextStep: (args: Args) => isAwaitedResult(args) && hasNextStep(args),
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
      isOperatorMessage: ({ event }: Args) => isOperatorMessage(event),
      isClientLeavingBot: ({ event }: Args) => isClientLeavingBot(event),
      hasPlan: ({ event }: Args) => event.type === 'transfer.request' && event.plan.length > 0,
      isClientMessage: ({ event }: Args) => event.type === 'message' && event.author.kind === 'client',
    },
  });
}

/** The setup every state of the lifecycle is built with. */
export type LifecycleSetup = ReturnType<typeof createLifecycleSetup>;
