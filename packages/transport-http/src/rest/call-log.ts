import type { Logger } from '@baton/core';
import { safeLog, traced } from '@baton/core/adapter';
import type { AuthEventListener } from '../auth/auth-events.js';
import type { BitrixError } from '../errors.js';
import type { RestSuccess } from './envelope.js';

/**
 * One HTTP request on the `baton:http.request` diagnostics channel (a span in `@baton/otel`),
 * with the answer's status and, on failure, its code.
 */
export function traceRequest(
  portal: string,
  method: string,
  send: () => Promise<RestSuccess | BitrixError>,
): Promise<RestSuccess | BitrixError> {
  return traced('httpRequest', { portal, method }, send, (answer, message) => {
    if ('code' in answer && typeof answer.code === 'string') {
      message.code = answer.code;
      if (answer.context.status !== undefined) message.status = answer.context.status;
    } else {
      message.status = 200;
    }
  });
}

/** Writes one REST call's outcome: `debug` when it succeeded, `warn` (or `error`) when not. */
export function logCall(
  logger: Logger | undefined,
  call: { portal: string; method: string; startedAt: number },
  error: BitrixError | undefined,
): void {
  if (!logger) return;
  const fields = { portal: call.portal, method: call.method, durationMs: Date.now() - call.startedAt };
  if (error === undefined) {
    safeLog(logger, 'debug', fields, 'baton: REST call succeeded');
    return;
  }
  const failure = {
    ...fields,
    code: error.code,
    retryable: error.context.retryable === true,
    ...(error.context.status === undefined ? {} : { status: error.context.status }),
  };
  // A pluggable part that threw is a bug or an outage of the user's own infrastructure.
  const level = error.code === 'UNEXPECTED' ? 'error' : 'warn';
  safeLog(logger, level, { ...failure, err: error }, `baton: ${error.message}`);
}

/** The user's `onAuthEvent`, plus an `error` line through the logger for each event. */
export function loggedAuthEvents(
  listener: AuthEventListener | undefined,
  logger: Logger | undefined,
): AuthEventListener | undefined {
  if (!logger) return listener;
  return (event) => {
    const detail = event.type === 'auth.lost' ? { reason: event.reason } : { attempt: event.attempt };
    safeLog(
      logger,
      'error',
      { portal: event.portal, type: event.type, ...detail, err: event.error },
      event.type === 'auth.lost'
        ? `baton: OAuth access to portal ${event.portal} is lost (${event.reason})`
        : `baton: rotated OAuth tokens of portal ${event.portal} could not be stored`,
    );
    listener?.(event);
  };
}
