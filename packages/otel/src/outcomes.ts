import type { CommittedMessage } from '@baton/core/adapter';

/** How a hand-over ended, if this commit ended it: an answer, a failed plan, or the chat moved on. */
export function handOverOutcome(message: CommittedMessage): 'answered' | 'failed' | 'cancelled' | undefined {
  const types = new Set(message.notices.map((notice) => notice.type));
  if (types.has('operator.answered')) return 'answered';
  if (types.has('handoff.failed')) return 'failed';
  // With LEAVE=Y the transfer itself hands the chat over: the target holds it from then on.
  if (message.to === 'operator') return 'answered';
  if (message.to === 'bot' || message.to === 'closed' || types.has('session.started')) return 'cancelled';
  return undefined;
}

/** Whether the chat's hand-over trace ends with this commit: the bot holds it again, or it closed. */
export function handOverEnds(message: CommittedMessage): boolean {
  return message.to === 'bot' || message.to === 'closed';
}

/** A failure's code and message, for span status and attributes. */
export function errorDetails(error: unknown): { code: string; message: string } {
  const code =
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
      ? (error as { code: string }).code
      : error instanceof Error
        ? error.name
        : 'UNKNOWN';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message };
}
