import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { preciseNow } from '../clock.js';
import { handleControl } from './control.js';
import type { ServerDeps } from './deps.js';
import { sendError } from './envelope.js';
import { handleOAuthToken } from './oauth.js';
import { handleRest } from './rest.js';

/** A listening HTTP server that can be torn down without leaking a socket. */
export interface ListeningServer {
  readonly port: number;
  /** Destroys every open connection (hanging ones included) and stops listening. */
  close(): Promise<void>;
}

async function route(deps: ServerDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const arrivedAt = preciseNow();
  const raw = request.url ?? '/';
  const queryStart = raw.indexOf('?');
  const path = queryStart < 0 ? raw : raw.slice(0, queryStart);
  const query = queryStart < 0 ? '' : raw.slice(queryStart + 1);
  let segments: string[];
  try {
    segments = path
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent);
  } catch {
    // A broken %-escape names no method: refused and logged like any unknown path.
    request.resume();
    sendError(response, 400, 'INVALID_REQUEST', 'The request path is not valid');
    deps.log({
      at: arrivedAt,
      portal: '',
      method: path,
      status: 400,
      error: 'INVALID_REQUEST',
      auth: 'none',
    });
    return;
  }
  if (segments[0] === 'rest') {
    await handleRest(deps, request, response, segments.slice(1), query, arrivedAt);
    return;
  }
  if (segments[0] === 'oauth' && segments[1] === 'token' && segments.length === 2) {
    await handleOAuthToken(deps, request, response, query, arrivedAt);
    return;
  }
  if (segments[0] === '_emulator') {
    await handleControl(deps.control, request, response, segments.slice(1));
    return;
  }
  request.resume();
  sendError(response, 404, 'NOT_FOUND', 'Not found');
  deps.log({ at: arrivedAt, portal: '', method: path, status: 404, error: 'NOT_FOUND', auth: 'none' });
}

/** The certificate and key to serve HTTPS with; plain HTTP without. */
export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
}

export function listen(
  deps: ServerDeps,
  host: string,
  port: number,
  tls?: TlsIdentity,
): Promise<ListeningServer> {
  const sockets = new Set<Socket>();
  const handler: RequestListener = (request, response) => {
    route(deps, request, response).catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) {
        sendError(
          response,
          500,
          'INTERNAL_SERVER_ERROR',
          error instanceof Error ? error.message : 'Internal error',
        );
      }
    });
  };
  const server: Server =
    tls === undefined ? createServer(handler) : createTlsServer({ cert: tls.cert, key: tls.key }, handler);
  // Raw TCP sockets, for HTTPS too: destroying one ends its TLS session.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
