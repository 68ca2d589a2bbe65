import type { LifecycleSetup } from '../lifecycle-setup.js';

/** `closed`: the session finished; the next client message opens a new one in `bot`. */
export function closedState(s: LifecycleSetup) {
  return s.createStateConfig({
    on: {
      message: [
        {
          // A new session whose first message is the client's `0`: the platform takes the bot out at once.
          guard: 'isClientLeavingBot',
          target: 'operator',
          actions: ['reopenSession', 'botGoneByClient'],
        },
        { guard: 'isClientMessage', target: 'bot', actions: 'reopenSession' },
      ],
    },
  });
}
