import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'qs';

/** One request the test server saw. */
export interface SeenRequest {
  readonly path: string;
  readonly params: Record<string, unknown>;
}

type Reply = (request: SeenRequest, response: ServerResponse, raw: IncomingMessage) => void;

/** A real HTTP server on 127.0.0.1:0 whose answers the test scripts, one reply per request. */
export async function startScriptedServer(reply: Reply) {
  const seen: SeenRequest[] = [];
  const server = createServer((raw, response) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('end', () => {
      const request = {
        path: raw.url ?? '',
        params: parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      };
      seen.push(request);
      reply(request, response, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(text);
}

/**
 * The answer to `readDialogOwner`'s request: `batch` (the owner, and the members when given) or,
 * where a test's server plays a portal without batch, `imopenlines.dialog.get`.
 */
export function dialogAnswer(request: SeenRequest, owner: number | string, members?: readonly unknown[]) {
  if (!request.path.includes('/batch')) return { result: { owner } };
  const result = { owner: { owner }, ...(members === undefined ? {} : { members }) };
  return { result: { result, result_error: [], result_total: [], result_next: [], result_time: [] } };
}
