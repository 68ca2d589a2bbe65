import { assign } from 'xstate';
import { initialChatContext } from '../context.js';
import type { LifecycleSetup } from '../lifecycle-setup.js';

/** `closed`: the session finished; the next client message opens a new one in `bot`. */
export function closedState(s: LifecycleSetup) {
  return s.createStateConfig({
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
  });
}
