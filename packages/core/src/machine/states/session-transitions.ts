import type { LifecycleSetup } from '../lifecycle-setup.js';

/**
 * The first transitions of every state's `message` handler: the session id every platform message
 * carries decides before anything else. A late message of an earlier session is dropped; a newer
 * session resets the chat to `bot` and then handles the message there; the first id heard of is
 * remembered and the message handled as usual.
 */
export function sessionTransitions(s: LifecycleSetup) {
  const again = s.raise(({ event }) => event);
  return [
    { guard: 'isFromEarlierSession' as const },
    {
      guard: 'startsNewSession' as const,
      target: 'bot',
      reenter: true,
      actions: ['startNewSession' as const, again],
    },
    { guard: 'adoptsSession' as const, actions: ['adoptSession' as const, again] },
  ];
}
