import { assign } from 'xstate';
import { currentStep, nextId } from '../decisions.js';
import type { LifecycleSetup } from '../lifecycle-setup.js';
import { sessionTransitions } from './session-transitions.js';

/**
 * `awaitingOperator`: the platform accepted; waiting (with a deadline, maybe polling) for an
 * operator to answer. An answer of this step moves the chat to `operator`; one that may belong to
 * a step the plan has left (its event can arrive after this step's transfer) is settled by reading
 * the dialog's owner.
 */
export function awaitingOperatorState(s: LifecycleSetup) {
  return s.createStateConfig({
    entry: [
      'clearSettling',
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
        ...sessionTransitions(s),
        { guard: 'isAnswer', target: 'operator', actions: 'operatorAnswered' },
        { guard: 'isForeignAnswer', actions: 'readOwnerNow' },
      ],
      'operator.answered': [
        { guard: 'isAnswer', target: 'operator', actions: 'operatorAnswered' },
        { actions: 'readOwnerNow' },
      ],
      // A skip by an operator this step did not offer the chat to belongs to a step already left.
      'operator.skipped': [
        { guard: 'isStepSkipWithNextStep', target: 'transferring', actions: ['recordSkip', 'nextStep'] },
        { guard: 'isStepSkip', target: 'bot', actions: ['recordSkip', 'handoffFailed'] },
      ],
      'timer.fired': [
        {
          guard: 'confirmationTimeoutWithNextStep',
          target: 'transferring',
          actions: ['recordTimeout', 'nextStep'],
        },
        { guard: 'isConfirmationTimer', target: 'bot', actions: ['recordTimeout', 'handoffFailed'] },
        { guard: 'isPollTimer', actions: 'readOwnerNow' },
        { guard: 'isWaitTimer', actions: 'sayStillWaiting' },
      ],
      'effect.result': [
        { guard: 'ownerAnswered', target: 'operator', actions: 'ownerAnswered' },
        { guard: 'isAwaitedResult', actions: [assign({ awaitedEffect: null }), 'schedulePoll'] },
      ],
      'bot.removed': { target: 'operator', actions: 'botGoneFromOutside' },
    },
  });
}
