import type { LifecycleSetup } from '../lifecycle-setup.js';
import { sessionTransitions } from './session-transitions.js';

/** `closed`: the session finished; the next client message opens a new one in `bot`. */
export function closedState(s: LifecycleSetup) {
  return s.createStateConfig({
    entry: ['clearSettling', 'leaveWaitingRoom'],
    on: {
      'bot.joined': { guard: 'joinEndsHandedOverSession', target: 'bot', actions: 'startNewSession' },
      message: [
        ...sessionTransitions(s),
        {
          // A new session whose first message is the client's `0`: the platform takes the bot out at once.
          guard: 'isClientZero',
          target: 'operator',
          actions: ['reopenSession', 'botGoneByClient'],
        },
        { guard: 'isClientMessage', target: 'bot', actions: 'reopenSession' },
      ],
    },
  });
}
