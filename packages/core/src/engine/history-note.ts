import type { CommitNote } from '../contracts/store.js';
import type { LifecycleEvent } from '../events.js';
import type { ChatContext } from '../machine/context.js';

const maxReasonLength = 300;

const cut = (text: string) =>
  text.length <= maxReasonLength ? text : `${text.slice(0, maxReasonLength - 1)}…`;

/**
 * What a commit says about itself in the store's history: the event's type and why the chat
 * changed, so that an inspector can print a readable timeline. A failure the commit recorded is
 * the reason; otherwise the event's own (a transfer request's reason, how the bot was removed,
 * where an answer was seen).
 */
export function historyNote(event: LifecycleEvent, before: ChatContext, after: ChatContext): CommitNote {
  const failure = after.lastError;
  if (failure !== null && JSON.stringify(failure) !== JSON.stringify(before.lastError)) {
    const detail = failure.message === undefined ? '' : `: ${failure.message}`;
    return { eventType: event.type, reason: cut(`${failure.code}${detail}`) };
  }
  const reason = eventReason(event);
  return reason === undefined ? { eventType: event.type } : { eventType: event.type, reason: cut(reason) };
}

function eventReason(event: LifecycleEvent): string | undefined {
  switch (event.type) {
    case 'transfer.request':
      return event.reason;
    case 'bot.removed':
      return event.reason;
    case 'operator.answered':
      return `answered (${event.source})${event.operatorId === undefined ? '' : ` by ${event.operatorId}`}`;
    case 'operator.skipped':
      return `skipped${event.operatorId === undefined ? '' : ` by ${event.operatorId}`}`;
    case 'effect.result':
      return event.outcome.ok ? `${event.effectId} ok` : `${event.effectId} failed: ${event.outcome.code}`;
    case 'timer.fired':
      return event.timerId;
    case 'message':
      return event.author.kind === 'client' ? undefined : `from ${event.author.kind} ${event.author.userId}`;
    default:
      return undefined;
  }
}
