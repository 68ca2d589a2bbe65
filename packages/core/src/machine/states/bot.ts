import { assign } from 'xstate';
import type { LifecycleSetup } from '../lifecycle-setup.js';
import { sessionTransitions } from './session-transitions.js';

/**
 * `bot`: the bot holds the chat; a transfer request with a plan starts the hand-over. After a plan
 * failed, the platform still offers the chat to its last target, so a late answer moves it on.
 */
export function botState(s: LifecycleSetup) {
  return s.createStateConfig({
    entry: ['clearSettling', 'leaveWaitingRoom'],
    on: {
      'transfer.request': [
        { guard: 'noStepAvailable', actions: 'noOneAvailable' },
        {
          guard: 'hasPlan',
          target: 'transferring',
          actions: [
            assign(({ event }) =>
              event.type === 'transfer.request'
                ? {
                    plan: event.plan,
                    step: 0,
                    attempt: 1,
                    infrastructureFailures: 0,
                    verifyReads: 0,
                    lastError: null,
                    skips: [],
                    reason: event.reason ?? null,
                    announcement: event.announcement ?? null,
                  }
                : {},
            ),
            'startAtFirstAvailable',
            'openWaitingRoom',
          ],
        },
      ],
      message: [
        ...sessionTransitions(s),
        { guard: 'isClientLeavingBot', target: 'operator', actions: 'botGoneByClient' },
        { guard: 'isLateAnswer', target: 'operator', actions: 'operatorAnswered' },
      ],
      'operator.answered': { guard: 'isLateAnswer', target: 'operator', actions: 'operatorAnswered' },
      'bot.removed': { target: 'operator', actions: 'botGoneFromOutside' },
    },
  });
}
