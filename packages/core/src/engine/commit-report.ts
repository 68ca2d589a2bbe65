import { type Logger, safeLog } from '../contracts/logger.js';
import { publish } from '../diagnostics/channels.js';
import { stateOf } from '../machine/snapshot.js';
import type { CommittedDispatch } from './dispatcher.js';

/** The failure this commit recorded on the chat, when its `lastError` changed to a new one. */
function recordedFailure(committed: CommittedDispatch) {
  const after = committed.after.context.lastError;
  if (after === null) return undefined;
  const before = committed.before?.context.lastError ?? null;
  if (before !== null && JSON.stringify(before) === JSON.stringify(after)) return undefined;
  return after;
}

/** Publishes a commit that held on `baton:committed`. */
export function publishCommitted(committed: CommittedDispatch, at: number): void {
  publish('committed', () => {
    const failure = recordedFailure(committed);
    return {
      key: committed.key,
      eventType: committed.event.type,
      eventId: committed.event.id,
      from: committed.from,
      to: stateOf(committed.after),
      version: committed.version,
      notices: committed.notices,
      ...(failure === undefined
        ? {}
        : {
            failure: {
              code: failure.code,
              ...(failure.message === undefined ? {} : { message: failure.message }),
            },
          }),
      at,
    };
  });
}

/**
 * What a commit writes to the log: every transition at `debug`; a failed transfer, a failed
 * hand-over and a failed bot removal at `warn`; an operator's answer at `info`.
 */
export function logCommitted(logger: Logger | undefined, committed: CommittedDispatch): void {
  if (!logger) return;
  const { key, event, from, version } = committed;
  const chat = { portal: key.portal, chatId: key.chatId };
  const to = stateOf(committed.after);
  safeLog(
    logger,
    'debug',
    { ...chat, from, to, eventType: event.type, eventId: event.id, version },
    'baton: transition',
  );
  for (const notice of committed.notices) {
    switch (notice.type) {
      case 'transfer.failed':
        safeLog(logger, 'warn', { ...chat, ...notice }, `baton: transfer failed (${notice.code})`);
        break;
      case 'handoff.failed':
        safeLog(logger, 'warn', { ...chat, ...notice }, `baton: hand-over failed (${notice.code})`);
        break;
      case 'bot.removalFailed':
        safeLog(logger, 'warn', { ...chat, ...notice }, `baton: bot removal failed (${notice.code})`);
        break;
      case 'operator.answered':
        safeLog(logger, 'info', { ...chat, ...notice }, 'baton: operator answered');
        break;
      default:
        break;
    }
  }
}
