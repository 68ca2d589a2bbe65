import type { LifecycleEvent } from '../events.js';
import type { ChatContext, ChatState } from '../machine/context.js';
import { isClientZero } from '../machine/machine-events.js';

/** Where a message should go: to the bot, to the operator (the platform delivers it), both, or nowhere. */
export type MessageRoute = 'bot' | 'operator' | 'both' | 'none';

/** How client messages are routed while a hand-over is in flight and the bot is still in the chat. */
export interface MessageRoutingPolicy {
  /** @defaultValue `'bot'` */
  readonly whileAwaiting: MessageRoute;
}

/**
 * Decides where the event's message should go once the chat is in `state`. Only client messages
 * go anywhere; a client's `0` that ended the bot's part is the platform's business (after a
 * transfer it is an ordinary message); a bot that left gets nothing.
 */
export function routeMessage(
  event: LifecycleEvent,
  state: ChatState,
  context: ChatContext,
  policy: MessageRoutingPolicy,
): MessageRoute {
  if (event.type !== 'message' || event.author.kind !== 'client' || event.system === true) return 'none';
  if (isClientZero(event) && !context.botPresent && !context.handedOver) return 'none';
  switch (state) {
    case 'bot':
      return context.botPresent ? 'bot' : 'none';
    case 'transferring':
    case 'awaitingOperator':
      if (context.botPresent) return policy.whileAwaiting;
      return policy.whileAwaiting === 'none' ? 'none' : 'operator';
    case 'operator':
      return 'operator';
    case 'closed':
      return 'none';
  }
}
