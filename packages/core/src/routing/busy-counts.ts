import type { CommittedDispatch } from '../engine/dispatcher.js';
import { stateOf } from '../machine/snapshot.js';

/**
 * How a committed event changes operators' busy counts (which feed least-busy routing), as
 * `[operatorId, delta]` pairs: +1 when an operator takes a chat (answers it, or receives it with
 * LEAVE=Y), -1 when the chat they held ends (closed, or a new platform session began).
 */
export function busyChanges({ before, after, notices }: CommittedDispatch): Array<[number, number]> {
  const changes: Array<[number, number]> = [];
  for (const notice of notices) {
    if (notice.type === 'operator.answered' && notice.operatorId !== null) {
      changes.push([notice.operatorId, 1]);
    }
    // With LEAVE=Y to a user the hand-over is done when the platform accepts: that user holds the chat.
    if (notice.type === 'transfer.succeeded' && notice.leave && notice.target.kind === 'user') {
      changes.push([notice.target.userId, 1]);
    }
  }
  const released = before?.context.operatorId;
  const sessionOver = stateOf(after) === 'closed' || after.context.session !== before?.context.session;
  if (before && stateOf(before) === 'operator' && sessionOver && released) {
    changes.push([released, -1]);
  }
  return changes;
}
