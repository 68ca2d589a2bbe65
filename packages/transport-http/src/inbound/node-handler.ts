import type { IncomingMessage, ServerResponse } from 'node:http';
import { BitrixError } from '../errors.js';
import {
  createEventHandler,
  type EventHandler,
  type EventHandlerOptions,
  type InboundResult,
} from './handler.js';
import { defaultBodyLimits } from './parse-body.js';
import { readRequestBody } from './read-request-body.js';

/** A Node `http` request listener; also the shape Express accepts as middleware. */
export type NodeRequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Options of `createNodeEventHandler` around an existing `EventHandler`. */
export interface NodeHandlerWrapOptions {
  readonly handler: EventHandler;
  /**
   * Largest accepted body, in bytes.
   * @defaultValue 1_048_576
   */
  readonly maxBytes?: number;
  /** Told about the requests this listener rejects itself (`405`, `413`, an aborted body). */
  readonly onError?: (error: BitrixError) => void;
}

/**
 * How much of an oversized body is read and thrown away so that the connection can carry the
 * next request. Past it, the answer says `Connection: close` and the client opens a new one.
 */
const maxDrainBytes = 4 * 1_048_576;

function send(
  response: ServerResponse,
  result: Pick<InboundResult, 'status' | 'body'>,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent) return;
  const text = JSON.stringify(result.body);
  response.writeHead(result.status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * Wraps an event handler as a Node request listener: `POST` only, the body read with a size
 * cap, the answer sent as JSON (`200` accepted or ignored, `4xx` bad input, `401`/`403` bad
 * token, `405` not a POST, `413` too large, `503` when `accept` failed). Every rejection is
 * reported to `onError`. A keep-alive connection stays usable after a `413`: the rest of the
 * body is drained, or, past a drain allowance of 4 MiB, the answer closes the connection. Never
 * throws.
 *
 * @example
 * const listener = createNodeEventHandler({ applicationTokens, accept: (event) => engine.dispatch(event) });
 * http.createServer(listener).listen(3000);            // plain Node
 * app.post('/bitrix/events', listener);                  // Express
 */
export function createNodeEventHandler(
  options: EventHandlerOptions | NodeHandlerWrapOptions,
): NodeRequestHandler {
  const handler = 'handler' in options ? options.handler : createEventHandler(options);
  const maxBytes =
    ('handler' in options ? options.maxBytes : options.limits?.maxBytes) ?? defaultBodyLimits.maxBytes;
  const report = (error: BitrixError) => options.onError?.(error);

  return async (request, response) => {
    if (request.method !== 'POST') {
      const method = (request.method ?? '').slice(0, 16);
      report(
        new BitrixError('METHOD_NOT_ALLOWED', `${method} is not accepted; events are POSTed`, {
          status: 405,
        }),
      );
      response.setHeader('allow', 'POST');
      send(response, { status: 405, body: { ok: false, code: 'METHOD_NOT_ALLOWED' } });
      request.resume(); // drain any body so the connection can be reused
      return;
    }
    const read = await readRequestBody(request, maxBytes, maxDrainBytes);
    if (read.kind === 'tooLarge') {
      const message = `The payload exceeds ${maxBytes} bytes`;
      report(new BitrixError('PAYLOAD_TOO_LARGE', message, { status: 413 }));
      send(
        response,
        { status: 413, body: { ok: false, code: 'PAYLOAD_TOO_LARGE', message } },
        read.drained ? {} : { connection: 'close' },
      );
      if (!read.drained) response.once('finish', () => request.destroy());
      return;
    }
    if (read.kind === 'failed') {
      report(
        new BitrixError('INVALID_PAYLOAD', 'The request body could not be read to its end', { status: 400 }),
      );
      send(response, { status: 400, body: { ok: false, code: 'INVALID_PAYLOAD' } });
      return;
    }
    send(response, await handler.handle(read.body, request.headers));
  };
}
