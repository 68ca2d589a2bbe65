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
import { type LifecycleOptions, lifecycleOptionsSchema, retryDelayMs } from './options.js';

/** Input of a new chat's machine. */
export interface LifecycleInput {
  readonly portal: string;
  readonly chatId: number;
}

/**
 * Builds the lifecycle machine of one chat: `bot → transferring → awaitingOperator → operator →
 * closed`, and back to `bot` on a new session or when a hand-over fails.
 *
 * The machine is pure. Its actions `effect`, `schedule`, `cancel` and `notify` do nothing when
 * run; they are instructions that the engine reads from XState's `transition()` result and turns
 * into outbox entries, durable timers and events, committed atomically with the new snapshot.
 *
 * @example
 * ```ts
 * import { initialTransition, transition } from 'xstate';
 * const machine = createLifecycleMachine({ maxTransferAttempts: 5 });
 * const [start] = initialTransition(machine, { portal: 'p1', chatId: 42 });
 * const [next, actions] = transition(machine, start, event);
 * ```
 */
export function createLifecycleMachine(options: LifecycleOptions = {}) {
  const config = lifecycleOptionsSchema.parse(options);
  type Args = { context: ChatContext; event: MachineEvent };

  /** The transfer step's target, for notices. */
  const stepNotice = (context: ChatContext) => {
    const step = currentStep(context);
    return { target: step.target, leave: step.leave, step: context.step };
  };

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
      nextStep: assign(({ context }: Args) => ({ step: context.step + 1, attempt: 1 })),
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
      botGoneByClient: enqueueActions(({ enqueue }) => {
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
      schedulePoll: enqueueActions(({ context, enqueue }) => {
        if (config.confirmationPollIntervalMs === false) return;
        const id = nextId(context, 'poll');
        enqueue.assign({ pollTimer: id, seq: context.seq + 1 });
        enqueue({ type: 'schedule', params: { id, delayMs: config.confirmationPollIntervalMs } });
      }),
    },
    guards: {
      isAwaitedResult: (args: Args) => isAwaitedResult(args),
      isAwaitedSuccess: (args: Args) => isAwaitedSuccess(args),
      transferLeftBot: (args: Args) => isAwaitedSuccess(args) && leavesOnTransfer(args.context),
      canRetryTransfer: (args: Args) => canRetry(args, args.context.attempt, config.maxTransferAttempts),
      canRetryRemoval: (args: Args) => canRetry(args, args.context.removalAttempt, config.maxRemovalAttempts),
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
  }).createMachine({
    id: 'baton.chat',
    context: ({ input }) => initialChatContext(input.portal, input.chatId),
    initial: 'bot',
    on: {
      'session.finished': { target: '.closed' },
    },
    states: {
      bot: {
        on: {
          'transfer.request': {
            guard: 'hasPlan',
            target: 'transferring',
            actions: assign(({ event }) =>
              event.type === 'transfer.request'
                ? { plan: event.plan, step: 0, attempt: 1, lastError: null, reason: event.reason ?? null }
                : {},
            ),
          },
          message: { guard: 'isClientLeavingBot', target: 'operator', actions: 'botGoneByClient' },
          'bot.removed': { target: 'operator', actions: 'botGoneFromOutside' },
        },
      },

      transferring: {
        entry: [
          assign(({ context }) => ({ awaitedEffect: nextId(context, 'transfer'), seq: context.seq + 1 })),
          {
            type: 'effect',
            params: ({ context }) => {
              const step = currentStep(context);
              return {
                id: context.awaitedEffect ?? '',
                call: { kind: 'transfer', target: step.target, leave: step.leave },
              } satisfies EffectInstruction;
            },
          },
          {
            type: 'notify',
            params: ({ context }) => ({
              type: 'transfer.requested',
              ...stepNotice(context),
              attempt: context.attempt,
            }),
          },
        ],
        exit: [
          { type: 'cancel', params: ({ context }) => ({ id: context.retryTimer }) },
          assign({ retryTimer: null, awaitedEffect: null }),
        ],
        on: {
          'effect.result': [
            {
              guard: 'transferLeftBot',
              target: 'operator',
              actions: [
                {
                  type: 'notify',
                  params: ({ context }) => ({ type: 'transfer.succeeded', ...stepNotice(context) }),
                },
                assign({ botPresent: false }),
                { type: 'notify', params: { type: 'bot.left', reason: 'leaveOnTransfer' } },
              ],
            },
            {
              guard: 'isAwaitedSuccess',
              target: 'awaitingOperator',
              actions: {
                type: 'notify',
                params: ({ context }) => ({ type: 'transfer.succeeded', ...stepNotice(context) }),
              },
            },
            {
              guard: 'canRetryTransfer',
              actions: [
                'recordFailure',
                { type: 'notify', params: (args) => transferFailed(args, true) },
                'scheduleTransferRetry',
              ],
            },
            {
              guard: 'awaitedFailureWithNextStep',
              target: 'transferring',
              reenter: true,
              actions: [
                'recordFailure',
                { type: 'notify', params: (args) => transferFailed(args, false) },
                'nextStep',
              ],
            },
            {
              guard: 'isAwaitedResult',
              target: 'bot',
              actions: [
                'recordFailure',
                { type: 'notify', params: (args) => transferFailed(args, false) },
                'handoffFailed',
              ],
            },
          ],
          'timer.fired': {
            guard: 'isRetryTimer',
            target: 'transferring',
            reenter: true,
            actions: assign(({ context }) => ({ attempt: context.attempt + 1 })),
          },
          message: [
            { guard: 'isOperatorMessage', target: 'operator', actions: 'operatorAnsweredByMessage' },
            { guard: 'isClientLeavingBot', target: 'operator', actions: 'botGoneByClient' },
          ],
          'operator.answered': { target: 'operator', actions: 'operatorAnsweredExplicitly' },
          'bot.removed': { target: 'operator', actions: 'botGoneFromOutside' },
        },
      },

      awaitingOperator: {
        entry: [
          assign(({ context }) => ({ confirmationTimer: nextId(context, 'confirm'), seq: context.seq + 1 })),
          {
            type: 'schedule',
            params: ({ context }) => ({
              id: context.confirmationTimer ?? '',
              delayMs: currentStep(context).confirmationTimeoutMs,
            }),
          },
          'schedulePoll',
        ],
        exit: [
          { type: 'cancel', params: ({ context }) => ({ id: context.confirmationTimer }) },
          { type: 'cancel', params: ({ context }) => ({ id: context.pollTimer }) },
          assign({ confirmationTimer: null, pollTimer: null, awaitedEffect: null }),
        ],
        on: {
          message: [
            { guard: 'isOperatorMessage', target: 'operator', actions: 'operatorAnsweredByMessage' },
            { guard: 'isClientLeavingBot', target: 'operator', actions: 'botGoneByClient' },
          ],
          'operator.answered': { target: 'operator', actions: 'operatorAnsweredExplicitly' },
          'operator.skipped': [
            { guard: 'hasNextStep', target: 'transferring', actions: ['recordSkip', 'nextStep'] },
            { target: 'bot', actions: ['recordSkip', 'handoffFailed'] },
          ],
          'timer.fired': [
            {
              guard: 'confirmationTimeoutWithNextStep',
              target: 'transferring',
              actions: ['recordTimeout', 'nextStep'],
            },
            { guard: 'isConfirmationTimer', target: 'bot', actions: ['recordTimeout', 'handoffFailed'] },
            {
              guard: 'isPollTimer',
              actions: [
                assign(({ context }) => ({
                  pollTimer: null,
                  awaitedEffect: nextId(context, 'poll'),
                  seq: context.seq + 1,
                })),
                {
                  type: 'effect',
                  params: ({ context }) => ({
                    id: context.awaitedEffect ?? '',
                    call: { kind: 'readDialogOwner' },
                  }),
                },
              ],
            },
          ],
          'effect.result': [
            {
              guard: 'ownerAnswered',
              target: 'operator',
              actions: [
                assign(({ event }) =>
                  event.type === 'effect.result' && event.outcome.ok
                    ? { operatorId: event.outcome.ownerId ?? null }
                    : {},
                ),
                {
                  type: 'notify',
                  params: ({ context }) => ({
                    type: 'operator.answered',
                    operatorId: context.operatorId,
                    source: 'poll',
                  }),
                },
              ],
            },
            { guard: 'isAwaitedResult', actions: [assign({ awaitedEffect: null }), 'schedulePoll'] },
          ],
          'bot.removed': { target: 'operator', actions: 'botGoneFromOutside' },
        },
      },

      operator: {
        entry: enqueueActions(({ context, enqueue }) => {
          if (!context.botPresent || context.awaitedEffect !== null) return;
          const id = nextId(context, 'remove');
          enqueue.assign({ awaitedEffect: id, seq: context.seq + 1, removalAttempt: 1 });
          enqueue({ type: 'effect', params: { id, call: { kind: 'removeBot' } } });
        }),
        exit: [
          { type: 'cancel', params: ({ context }) => ({ id: context.retryTimer }) },
          assign({ retryTimer: null, awaitedEffect: null }),
        ],
        on: {
          'effect.result': [
            {
              guard: 'isAwaitedSuccess',
              actions: enqueueActions(({ context, event, enqueue }) => {
                enqueue.assign({ botPresent: false, awaitedEffect: null });
                // The bot may have been removed from outside while the call was in flight: say so once.
                if (!context.botPresent) return;
                const alreadyGone =
                  event.type === 'effect.result' && event.outcome.ok && event.outcome.alreadyGone;
                enqueue({
                  type: 'notify',
                  params: { type: 'bot.left', reason: alreadyGone ? 'alreadyGone' : 'removed' },
                });
              }),
            },
            {
              guard: 'canRetryRemoval',
              actions: ['scheduleRemovalRetry'],
            },
            {
              guard: 'isAwaitedResult',
              actions: [
                assign(({ event }) => ({ lastError: failureOf(event), awaitedEffect: null })),
                {
                  type: 'notify',
                  params: ({ event }) => ({ type: 'bot.removalFailed', code: failureOf(event).code }),
                },
              ],
            },
          ],
          'timer.fired': {
            guard: 'isRetryTimer',
            actions: enqueueActions(({ context, enqueue }) => {
              const id = nextId(context, 'remove');
              enqueue.assign({
                retryTimer: null,
                awaitedEffect: id,
                seq: context.seq + 1,
                removalAttempt: context.removalAttempt + 1,
              });
              enqueue({ type: 'effect', params: { id, call: { kind: 'removeBot' } } });
            }),
          },
          message: { guard: 'isClientLeavingBot', actions: 'botGoneByClient' },
          'bot.removed': { actions: 'botGoneFromOutside' },
        },
      },

      closed: {
        on: {
          message: {
            guard: 'isClientMessage',
            target: 'bot',
            actions: assign(({ context }) => ({
              ...initialChatContext(context.portal, context.chatId),
              session: context.session + 1,
              seq: context.seq,
            })),
          },
        },
      },
    },
  });

  function transferFailed({ context, event }: Args, willRetry: boolean): Notice {
    const failure = failureOf(event);
    return {
      type: 'transfer.failed',
      target: currentStep(context).target,
      step: context.step,
      code: failure.code,
      retryable: failure.retryable,
      willRetry,
    };
  }
}
