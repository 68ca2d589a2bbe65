import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestTokens } from '../../src/auth/token-request.js';
import { json, startScriptedServer } from '../helpers/http-server.js';

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const current = {
  accessToken: 'access-300001',
  refreshToken: 'refresh-300001',
  clientEndpoint: 'https://example.bitrix24.com/rest/',
};
const post = (tokenUrl: string) =>
  requestTokens({
    fetch: (input, init) => fetch(input, init),
    tokenUrl,
    clientId: 'app.300001',
    clientSecret: 'secret-300001',
    current,
    timeoutMs: 2_000,
    now: () => 1_000,
  });

async function scripted(reply: Parameters<typeof startScriptedServer>[0]) {
  const server = await startScriptedServer(reply);
  servers.push(server);
  return `${server.url}/oauth/token/`;
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('one refresh request', () => {
  it('reads rotated tokens', async () => {
    const url = await scripted((_request, response) =>
      json(response, 200, {
        access_token: 'access-300002',
        refresh_token: 'refresh-300002',
        expires_in: 3600,
      }),
    );
    expect(await post(url)).toEqual({
      kind: 'rotated',
      tokens: {
        accessToken: 'access-300002',
        refreshToken: 'refresh-300002',
        clientEndpoint: current.clientEndpoint,
        expiresAt: 3_601_000,
      },
    });
  });

  it('calls invalid_grant spent', async () => {
    const url = await scripted((_request, response) => json(response, 400, { error: 'invalid_grant' }));
    expect(await post(url)).toEqual({ kind: 'spent', status: 400 });
  });

  it('calls a connection reset after sending an unknown outcome, and a refused connection a failure', async () => {
    const url = await scripted((_request, _response, raw) => raw.socket.destroy());
    expect(await post(url)).toMatchObject({ kind: 'unknown' });
    expect(await post(`http://127.0.0.1:${await closedPort()}/oauth/token/`)).toMatchObject({
      kind: 'failed',
      detail: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('calls a 5xx unknown and another refusal a failure, without quoting secrets', async () => {
    const down = await scripted((_request, response) => json(response, 502, { error: 'bad_gateway' }));
    const refused = await scripted((_request, response) => json(response, 401, { error: 'invalid_client' }));
    const outcomes = [await post(down), await post(refused)];
    expect(outcomes).toMatchObject([
      { kind: 'unknown', status: 502 },
      { kind: 'failed', status: 401 },
    ]);
    expect(JSON.stringify(outcomes)).not.toMatch(/refresh-300001|secret-300001/);
  });
});
