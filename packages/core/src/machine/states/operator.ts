import { assign, enqueueActions } from 'xstate';
import { failureOf, nextId } from '../decisions.js';
import type { LifecycleSetup } from '../lifecycle-setup.js';
import { sessionTransitions } from './session-transitions.js';

/** `operator`: an operator holds the chat; a bot that stayed is removed here. */
export function operatorState(s: LifecycleSetup) {
  return s.createStateConfig({
    entry: enqueueActions(({ context, enqueue }) => {
      enqueue('clearSettling');
      enqueue('leaveWaitingRoom');
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
      'bot.joined': { guard: 'joinEndsHandedOverSession', target: 'bot', actions: 'startNewSession' },
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
            assign(({ context, event }) => ({ lastError: failureOf(event, context), awaitedEffect: null })),
            {
              type: 'notify',
              params: ({ context, event }) => ({
                type: 'bot.removalFailed',
                code: failureOf(event, context).code,
              }),
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
      // Gone from outside: a removal in flight or waiting to be retried is no longer needed.
      message: [
        ...sessionTransitions(s),
        { guard: 'isClientLeavingBot', actions: ['botGoneByClient', 'dropRemoval'] },
      ],
      'bot.removed': { actions: ['botGoneFromOutside', 'dropRemoval'] },
    },
  });
}
