import type { BatonEventInput, Logger } from '@baton/core';
import { safeLog } from '@baton/core/adapter';
import { BitrixError, isBitrixError } from '../errors.js';
import { type EventTokenOptions, offerEventTokens } from './event-tokens.js';
import { type BodyLimits, defaultBodyLimits, type InboundBody, parseInboundBody } from './parse-body.js';
import { normalizeEvent } from './parse-event.js';
import { readInboundEnvelope } from './read-envelope.js';
import { type AcceptRetryOptions, retryingAccept } from './retry-dispatch.js';
import { type ApplicationTokenStore, verifyApplicationToken } from './verify-token.js';

/** Hands a verified event to the engine; resolving means "durably accepted" (typically `engine.dispatch`). */
export type AcceptEvent = (event: BatonEventInput) => Promise<unknown>;

/** Options of `createEventHandler`; `oauthTokens` and `adoptEventTokens`: see `EventTokenOptions`. */
export interface EventHandlerOptions extends EventTokenOptions {
  /** Each portal's `application_token`; events whose token does not match are rejected. */
  readonly applicationTokens: ApplicationTokenStore;
  /** Called once per verified lifecycle event; typically `(event) => engine.dispatch(event)`. */
  readonly accept: AcceptEvent;
  /** Body size and shape limits; see `defaultBodyLimits`. */
  readonly limits?: Partial<BodyLimits>;
  /** Told about every rejected or failed request (for logs and metrics). Never receives secrets. */
  readonly onError?: (error: BitrixError) => void;
  /** Keep trying a dispatch that failed for a passing reason; `false` tries once. See `retryingAccept`. */
  readonly acceptRetry?: AcceptRetryOptions | false;
  /**
   * Where the handler writes what it does (pino, `console`, …): `error` when the engine could not
   * accept an event (answered 503: a webhook event is lost unless the platform retries), `warn` for
   * a refused delivery (bad token, bad payload), `debug` for each accepted or ignored one. Never a
   * token or a message's text.
   */
  readonly logger?: Logger;
}

/** How the handler answered, framework-free: send `status` and `body` as JSON. */
export interface InboundResult {
  readonly status: number;
  readonly body: { readonly ok: boolean; readonly code?: string; readonly message?: string };
  /** `accepted`: handed to the engine; `ignored`: understood, not a lifecycle event; `rejected`: refused. */
  readonly outcome: 'accepted' | 'ignored' | 'rejected';
  /** The event handed to `accept`, when there was one. */
  readonly event?: BatonEventInput;
  /** Why it was rejected. */
  readonly error?: BitrixError;
}

/** Request headers, as Node gives them or as a plain map. */
export type InboundHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The framework-free inbound side: validate, verify, normalise, accept. */
export interface EventHandler {
  /** Handles one delivery. Never throws. */
  handle(body: InboundBody, headers?: InboundHeaders): Promise<InboundResult>;
}

const statusByCode: Readonly<Record<string, number>> = {
  MISSING_APPLICATION_TOKEN: 401,
  INVALID_APPLICATION_TOKEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_ACCEPTED: 503,
  UNEXPECTED: 503,
};

/** What a log line says about an event: where it belongs and what it is, never its text. */
function eventFields(event: BatonEventInput) {
  return { portal: event.portal, chatId: event.chatId, eventType: event.type, eventId: event.id };
}

function logRejected(
  logger: Logger | undefined,
  error: BitrixError,
  event: BatonEventInput | undefined,
): void {
  const fields = {
    code: error.code,
    status: statusByCode[error.code] ?? 400,
    ...(event ? eventFields(event) : {}),
  };
  if (error.code === 'NOT_ACCEPTED' || error.code === 'UNEXPECTED') {
    safeLog(logger, 'error', { ...fields, err: error.cause }, `baton: ${error.message}; answered 503`);
  } else {
    safeLog(logger, 'warn', fields, `baton: inbound delivery refused: ${error.message}`);
  }
}

function headerValue(headers: InboundHeaders, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/**
 * Creates the inbound handler. The order matters: parse with limits, read the envelope, verify
 * the application token, and only then normalise and accept. Anything malformed or forged is
 * answered 4xx and never reaches `accept`; an `accept` that throws is answered 503.
 *
 * @example
 * const inbound = createEventHandler({ applicationTokens: { [memberId]: appToken }, accept: (e) => engine.dispatch(e) });
 * const result = await inbound.handle(rawBody, req.headers);
 */
export function createEventHandler(options: EventHandlerOptions): EventHandler {
  const limits: BodyLimits = { ...defaultBodyLimits, ...options.limits };
  const accept = retryingAccept(options.accept, options.acceptRetry);

  function reject(error: BitrixError, event?: BatonEventInput): InboundResult {
    options.onError?.(error);
    logRejected(options.logger, error, event);
    return {
      status: statusByCode[error.code] ?? 400,
      body: { ok: false, code: error.code, message: error.message },
      outcome: 'rejected',
      error,
    };
  }

  async function handle(body: InboundBody, headers: InboundHeaders = {}): Promise<InboundResult> {
    let event: BatonEventInput;
    try {
      const raw = parseInboundBody(body, headerValue(headers, 'content-type'), limits);
      const envelope = readInboundEnvelope(raw);
      await verifyApplicationToken(options.applicationTokens, envelope.portal, envelope.applicationToken);
      await offerEventTokens(options, envelope.portal, raw, options.onError);
      const normalized = normalizeEvent(envelope);
      if (normalized.kind === 'ignored') {
        safeLog(
          options.logger,
          'debug',
          { portal: envelope.portal, reason: normalized.reason },
          'baton: event ignored',
        );
        return { status: 200, body: { ok: true, message: normalized.reason }, outcome: 'ignored' };
      }
      event = normalized.event;
    } catch (error) {
      if (isBitrixError(error)) return reject(error);
      return reject(
        new BitrixError('INVALID_PAYLOAD', 'The payload could not be read', { status: 400 }, error),
      );
    }
    try {
      await accept(event);
    } catch (cause) {
      const error = new BitrixError(
        'NOT_ACCEPTED',
        'The engine could not accept the event now',
        { portal: event.portal, status: 503, retryable: true },
        cause,
      );
      return { ...reject(error, event), event };
    }
    safeLog(options.logger, 'debug', eventFields(event), 'baton: event accepted');
    return { status: 200, body: { ok: true }, outcome: 'accepted', event };
  }

  return { handle };
}
