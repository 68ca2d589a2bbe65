import { assign } from 'xstate';
import type { LifecycleSetup } from '../lifecycle-setup.js';

/** `bot`: the bot holds the chat; a transfer request with a plan starts the hand-over. */
export function botState(s: LifecycleSetup) {
  return s.createStateConfig({
    on: {
      'transfer.request': {
        guard: 'hasPlan',
        target: 'transferring',
        actions: assign(({ event }) =>
          event.type === 'transfer.request'
            ? {
                plan: event.plan,
                step: 0,
                attempt: 1,
                infrastructureFailures: 0,
                lastError: null,
                reason: event.reason ?? null,
                announcement: event.announcement ?? null,
              }
            : {},
        ),
      },
      message: { guard: 'isClientLeavingBot', target: 'operator', actions: 'botGoneByClient' },
      'bot.removed': { target: 'operator', actions: 'botGoneFromOutside' },
    },
  });
}
