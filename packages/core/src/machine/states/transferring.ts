import { assign } from 'xstate';
import type { LifecycleSetup } from '../lifecycle-setup.js';
import { transferFailed } from '../notices.js';
import { sessionTransitions } from './session-transitions.js';

/**
 * `transferring`: the platform call for the current plan step is in flight, maybe retrying.
 *
 * An answer seen here may be overtaken by this step's transfer (the platform's transfer removes
 * whoever had answered), so it is settled by the call's outcome: a failed transfer leaves the
 * answer standing; a successful one moved the chat on, unless the answer came from this step's
 * own target. A call whose outcome is unknown is settled by reading the dialog before repeating.
 */
export function transferringState(s: LifecycleSetup) {
  const answer = [
    { guard: 'isAnswerWithNoCallPending' as const, target: 'operator', actions: 'operatorAnswered' as const },
    { guard: 'hasAnyAnswer' as const, actions: 'rememberAnswer' as const },
  ];
  return s.createStateConfig({
    entry: ['greetStep', 'requestTransfer'],
    exit: [
      { type: 'cancel', params: ({ context }) => ({ id: context.retryTimer }) },
      // What settles this step (an answer seen, a withdrawn call, an unknown outcome) is still read
      // by the transition's own actions; the next state's entry clears it.
      assign({ retryTimer: null, awaitedEffect: null }),
    ],
    on: {
      'effect.result': [
        {
          // The announcement went out (or could not): now the transfer itself.
          guard: 'isAnnouncementResult',
          actions: [assign({ announcement: null }), 'requestTransfer'],
        },
        { guard: 'verifiedAnswer', target: 'operator', actions: ['ownerAnswered'] },
        { guard: 'verifiedBotLeft', target: 'operator', actions: ['transferSucceeded', 'botLeftOnTransfer'] },
        { guard: 'verifiedTransferAfterAnswer', target: 'awaitingOperator', actions: 'transferSucceeded' },
        { guard: 'transferLeftBot', target: 'operator', actions: ['transferSucceeded', 'botLeftOnTransfer'] },
        {
          guard: 'succeededAndAnswered',
          target: 'operator',
          actions: ['transferSucceeded', 'pendingAnswerHolds'],
        },
        { guard: 'isAwaitedSuccess', target: 'awaitingOperator', actions: 'transferSucceeded' },
        { guard: 'hasUnknownOutcome', actions: 'verifyTransfer' },
        { guard: 'failedAfterAnswer', target: 'operator', actions: 'pendingAnswerHolds' },
        {
          guard: 'wasNotSent',
          actions: [
            'recordFailure',
            { type: 'notify', params: (args) => transferFailed(args, true) },
            'uncountAttempt',
            'scheduleTransferRetry',
          ],
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
      'timer.fired': [
        {
          guard: 'isRetryTimer',
          target: 'transferring',
          reenter: true,
          actions: assign(({ context }) => ({ attempt: context.attempt + 1 })),
        },
        { guard: 'isWaitTimer', actions: 'sayStillWaiting' },
      ],
      message: [
        ...sessionTransitions(s),
        { guard: 'isClientLeavingBot', target: 'operator', actions: 'botGoneByClient' },
        ...answer,
      ],
      // An explicit answer is the caller's word, not a platform event that a transfer may overtake.
      'operator.answered': { target: 'operator', actions: 'operatorAnswered' },
      'bot.removed': { target: 'operator', actions: 'botGoneFromOutside' },
    },
  });
}
