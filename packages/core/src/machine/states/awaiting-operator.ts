import { assign } from 'xstate';
import { currentStep, nextId } from '../decisions.js';
import type { LifecycleSetup } from '../lifecycle-setup.js';

/** `awaitingOperator`: the platform accepted; waiting (with a deadline, maybe polling) for an operator to answer. */
export function awaitingOperatorState(s: LifecycleSetup) {
  return s.createStateConfig({
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
  });
}
