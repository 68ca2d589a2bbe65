import { invalidInput } from '../errors.js';
import { initialChatContext } from './context.js';
import { createLifecycleSetup } from './lifecycle-setup.js';
import { type LifecycleOptions, lifecycleOptionsSchema } from './options.js';
import { awaitingOperatorState } from './states/awaiting-operator.js';
import { botState } from './states/bot.js';
import { closedState } from './states/closed.js';
import { operatorState } from './states/operator.js';
import { transferringState } from './states/transferring.js';

export type { LifecycleInput } from './lifecycle-setup.js';

/** The context XState gets when it builds a throwaway initial snapshot without input. */
const detachedContext = Object.freeze(initialChatContext('', 0));

/**
 * Builds the lifecycle machine of one chat: `bot → transferring → awaitingOperator → operator →
 * closed`, and back to `bot` on a new session or when a hand-over fails.
 *
 * The machine is pure. Its actions `effect`, `schedule`, `cancel` and `notify` do nothing when
 * run; they are instructions that the engine reads from XState's `transition()` result and turns
 * into outbox entries, durable timers and events, committed atomically with the new snapshot.
 *
 * @example
 * ```ts
 * import { initialTransition, transition } from 'xstate';
 * const machine = createLifecycleMachine({ maxTransferAttempts: 5 });
 * const [start] = initialTransition(machine, { portal: 'p1', chatId: 42 });
 * const [next, actions] = transition(machine, start, event);
 * ```
 */
export function createLifecycleMachine(options: LifecycleOptions = {}) {
  const parsed = lifecycleOptionsSchema.safeParse(options);
  if (!parsed.success) throw invalidInput('lifecycle options', parsed.error);
  const s = createLifecycleSetup(parsed.data);
  return s.createMachine({
    id: 'baton.chat',
    // XState builds an initial snapshot without input inside every `transition()` call and
    // throws it away; reading `input.portal` there threw and caught a TypeError per event.
    // Snapshots that are kept always come from `initialTransition` with input, or from the store.
    context: ({ input }) =>
      input === undefined ? detachedContext : initialChatContext(input.portal, input.chatId),
    initial: 'bot',
    on: {
      // Whoever finishes the session, whatever the chat was doing.
      'session.finished': { target: '.closed' },
      // The bot joined an Open Lines chat naming a newer session: the platform started it, held by
      // the bot. (`operator` and `closed` may also take a join of unknown order as a new session.)
      'bot.joined': [
        { guard: 'startsNewSession', target: '.bot', reenter: true, actions: 'startNewSession' },
        { guard: 'adoptsSession', actions: 'adoptSession' },
      ],
      // A waiting-room message went out (or could not): whatever the state, nothing awaits it.
      'effect.result': { guard: 'isWaitingMessageResult', actions: 'forgetWaitingMessage' },
    },
    states: {
      bot: botState(s),
      transferring: transferringState(s),
      awaitingOperator: awaitingOperatorState(s),
      operator: operatorState(s),
      closed: closedState(s),
    },
  });
}
