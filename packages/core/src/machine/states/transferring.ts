import { assign } from 'xstate';
import { currentStep } from '../decisions.js';
import type { LifecycleSetup } from '../lifecycle-setup.js';
import { stepNotice, transferFailed } from '../notices.js';

/** `transferring`: the platform call for the current plan step is in flight, maybe retrying. */
export function transferringState(s: LifecycleSetup) {
  return s.createStateConfig({
    entry: 'requestTransfer',
    exit: [
      { type: 'cancel', params: ({ context }) => ({ id: context.retryTimer }) },
      assign({ retryTimer: null, awaitedEffect: null }),
    ],
    on: {
      'effect.result': [
        {
          // The announcement went out (or could not): now the transfer itself.
          guard: 'isAnnouncementResult',
          actions: [assign({ announcement: null }), 'requestTransfer'],
        },
        {
          guard: 'transferLeftBot',
          target: 'operator',
          actions: [
            {
              type: 'notify',
              params: ({ context }) => ({ type: 'transfer.succeeded', ...stepNotice(context) }),
            },
            assign(({ context }) => {
              // With LEAVE=Y to a user, that user holds the chat from now on.
              const { target } = currentStep(context);
              return { botPresent: false, operatorId: target.kind === 'user' ? target.userId : null };
            }),
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
            'countInfrastructureFailure',
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
  });
}
