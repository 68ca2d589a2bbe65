import { createServer, type IncomingMessage } from 'node:http';
import qs from 'qs';

/** The platform envelope as a test reads it. */
export interface Envelope {
  readonly status: number;
  readonly body: {
    result?: unknown;
    time?: Record<string, unknown>;
    error?: string;
    error_description?: string;
  };
}

/** POSTs a PHP-style form, as most Bitrix24 clients do. */
export async function callForm(url: string, params: Record<string, unknown> = {}): Promise<Envelope> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: qs.stringify(params),
  });
  return { status: response.status, body: (await response.json()) as Envelope['body'] };
}

/** POSTs JSON. */
export async function callJson(url: string, params: Record<string, unknown> = {}): Promise<Envelope> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: response.status, body: (await response.json()) as Envelope['body'] };
}

/** One event the receiver got: the raw body and its PHP-style parse. */
export interface ReceivedEvent {
  readonly raw: string;
  readonly contentType: string;
  readonly form: Record<string, unknown>;
}

/** A local event handler on 127.0.0.1:0 that records what it receives. */
export interface EventReceiver {
  readonly url: string;
  readonly events: ReceivedEvent[];
  /** Status to answer with; 200 by default. */
  status: number;
  close(): Promise<void>;
}

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startEventReceiver(
  onEvent?: (event: ReceivedEvent) => Promise<void> | void,
): Promise<EventReceiver> {
  const events: ReceivedEvent[] = [];
  const receiver = { url: '', events, status: 200, close: async () => {} };
  const server = createServer(async (request, response) => {
    const raw = await readAll(request);
    const event = {
      raw,
      contentType: request.headers['content-type'] ?? '',
      form: qs.parse(raw, { parseArrays: false, depth: 10 }) as Record<string, unknown>,
    };
    events.push(event);
    await onEvent?.(event);
    response.statusCode = receiver.status;
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  receiver.url = `http://127.0.0.1:${address.port}/events`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Reads a nested value of a parsed form: `get(form, 'data', 'PARAMS', 'CHAT_ID')`. */
export function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
