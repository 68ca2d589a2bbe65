import type { ChatContext } from './context.js';
import type { MachineEvent } from './machine-events.js';

type Args = { context: ChatContext; event: MachineEvent };

/** The platform session id an event carries, if any (messages and joins carry one). */
export function eventSession(event: MachineEvent): number | undefined {
  return event.type === 'message' || event.type === 'bot.joined' ? event.sessionId : undefined;
}

/**
 * How the platform's session ids move the chat. Session ids only grow: a message of an earlier
 * session arriving late says nothing about the current one, and a larger id means the previous
 * session is over and the bot holds the chat again.
 */
export const sessionGuards = {
  /** A late message of a session already over: nothing to do. */
  isFromEarlierSession: ({ context, event }: Args): boolean => {
    const session = eventSession(event);
    return session !== undefined && context.platformSession !== null && session < context.platformSession;
  },
  /** A message of a newer session than the chat knows. */
  startsNewSession: ({ context, event }: Args): boolean => {
    const session = eventSession(event);
    return session !== undefined && context.platformSession !== null && session > context.platformSession;
  },
  /** The first session id the chat hears of: remembered, nothing else changes. */
  adoptsSession: ({ context, event }: Args): boolean =>
    eventSession(event) !== undefined && context.platformSession === null,
  /**
   * The bot joined a chat that is with an operator or closed: the bot joins only when a session
   * starts, so this one is new — unless the join names the session the chat is already in (its
   * first message may have arrived first) or an earlier one. While the bot holds the chat or a
   * hand-over is in flight, or after one, a join of unknown order (the chat knows no session id
   * yet) is taken as this session's own, delivered late: a transfer made meanwhile must not be
   * undone.
   */
  joinEndsHandedOverSession: ({ context, event }: Args): boolean => {
    const session = eventSession(event);
    // A chat that knows no session id yet: a hand-over of this version made in it belongs to the
    // session the join names (its join was delivered late); one that was never handed over here
    // (persisted before session ids were read) ends.
    if (context.platformSession === null) return !context.handedOver;
    return session === undefined || session > context.platformSession;
  },
};
