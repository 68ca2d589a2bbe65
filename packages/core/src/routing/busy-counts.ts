import type { ChatContext } from '../machine/context.js';
import { type LifecycleSnapshot, stateOf } from '../machine/snapshot.js';

/**
 * The operator a chat counts against in busy counts: the user the current plan step offers it to
 * while a hand-over is in flight or waits for an answer, the operator who holds it once answered,
 * and nobody otherwise (the bot holds it, a queue step waits, the session is closed).
 */
export function busyHolder(snapshot: LifecycleSnapshot): number | undefined {
  const { context } = snapshot;
  switch (stateOf(snapshot)) {
    case 'transferring':
    case 'awaitingOperator':
      return offeredTo(context);
    case 'operator':
      return context.operatorId ?? undefined;
    default:
      return undefined;
  }
}

/** The user the current plan step offers the chat to; `undefined` for a queue step. */
function offeredTo(context: ChatContext): number | undefined {
  const step = context.plan[context.step];
  return step?.target.kind === 'user' ? step.target.userId : undefined;
}

/**
 * What a commit from `before` to `after` tells the store about busy counts: the holder after, and
 * — when the chat is newly offered to a user whose plan step has a limit — that limit, which the
 * store checks in the same commit. An answer is never refused: only offers carry a limit.
 */
export function busyClaim(
  before: LifecycleSnapshot | null,
  after: LifecycleSnapshot,
): { holder?: number; maxChats?: number } {
  const holder = busyHolder(after);
  if (holder === undefined) return {};
  const state = stateOf(after);
  const offer = state === 'transferring' || state === 'awaitingOperator';
  const maxChats = offer ? after.context.plan[after.context.step]?.maxChats : undefined;
  const isNew = before === null || busyHolder(before) !== holder;
  return isNew && maxChats !== undefined ? { holder, maxChats } : { holder };
}
