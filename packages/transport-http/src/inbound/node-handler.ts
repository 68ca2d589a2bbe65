import type { IncomingMessage, ServerResponse } from 'node:http';
import { BitrixError } from '../errors.js';
import {
  createEventHandler,
  type EventHandler,
  type EventHandlerOptions,
  type InboundResult,
} from './handler.js';
import { defaultBodyLimits, type InboundBody } from './parse-body.js';

/** A Node `http` request listener; also the shape Express accepts as middleware. */
export type NodeRequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * Reads the body with a size cap. A framework that read the stream already left the body in
 * `request.body`; a `request.body` next to an unread stream (a body parser that skipped this
 * content type, as Express 4 does with `{}`) is not the body, so the stream is read instead.
 */
async function readBody(request: IncomingMessage, maxBytes: number): Promise<InboundBody> {
  const parsed = (request as IncomingMessage & { body?: unknown }).body;
  if (request.readableEnded) {
    if (typeof parsed === 'string' || parsed instanceof Uint8Array) return parsed;
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.byteLength;
    if (size > maxBytes) {
      throw new BitrixError('PAYLOAD_TOO_LARGE', `The payload exceeds ${maxBytes} bytes`, { status: 413 });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: Pick<InboundResult, 'status' | 'body'>): void {
  if (response.headersSent) return;
  const text = JSON.stringify(result.body);
  response.writeHead(result.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * Wraps an event handler as a Node request listener: `POST` only, the body read with a size
 * cap, the answer sent as JSON (`200` accepted or ignored, `4xx` bad input, `401`/`403` bad
 * token, `503` when `accept` failed). Never throws.
 *
 * @example
 * const listener = createNodeEventHandler({ applicationTokens, accept: (event) => engine.dispatch(event) });
 * http.createServer(listener).listen(3000);            // plain Node
 * app.post('/bitrix/events', listener);                  // Express
 */
export function createNodeEventHandler(
  options: EventHandlerOptions | { readonly handler: EventHandler; readonly maxBytes?: number },
): NodeRequestHandler {
  const handler = 'handler' in options ? options.handler : createEventHandler(options);
  const maxBytes =
    ('handler' in options ? options.maxBytes : options.limits?.maxBytes) ?? defaultBodyLimits.maxBytes;
  return async (request, response) => {
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      send(response, { status: 405, body: { ok: false, code: 'METHOD_NOT_ALLOWED' } });
      return;
    }
    let body: InboundBody;
    try {
      body = await readBody(request, maxBytes);
    } catch (error) {
      const status = error instanceof BitrixError ? 413 : 400;
      const code = error instanceof BitrixError ? error.code : 'INVALID_PAYLOAD';
      send(response, { status, body: { ok: false, code } });
      if (status === 413) request.resume(); // drain the rest so the connection can be reused
      return;
    }
    const result = await handler.handle(body, request.headers);
    send(response, result);
  };
}
