import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultErrorForStatus, type Fault } from '../faults.js';
import { sendError, sendHtml } from './envelope.js';

/** What a failure fault did to the exchange, for the request log. */
export interface FaultOutcome {
  readonly status: number;
  readonly error?: string;
}

/** Applies a `status`, `reset`, `hang` or `html` fault in place of the real answer. */
export function applyFailureFault(
  fault: Fault,
  request: IncomingMessage,
  response: ServerResponse,
): FaultOutcome {
  switch (fault.kind) {
    case 'status': {
      const status = fault.status ?? 500;
      const error = fault.error ?? defaultErrorForStatus(status);
      sendError(response, status, error, `Injected fault: ${error}`);
      return { status, error };
    }
    case 'html': {
      const status = fault.status ?? 503;
      sendHtml(response, status);
      return { status, error: 'HTML_RESPONSE' };
    }
    case 'reset':
      request.socket.destroy();
      return { status: 0, error: 'CONNECTION_RESET' };
    default:
      // hang: answer nothing; the client gives up, or close() destroys the socket.
      return { status: 0, error: 'HANG' };
  }
}

export const failureKinds = ['status', 'reset', 'hang', 'html'] as const;
