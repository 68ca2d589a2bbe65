import { createMemoryLockManager } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTokenStore } from '../../src/auth/token-store.js';
import { createBitrixTransport } from '../../src/transport.js';
import { json, type SeenRequest, startScriptedServer } from '../helpers/http-server.js';

const portal = 'member-1';
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A tiny OAuth portal: one valid access token at a time, rotating refresh tokens. */
async function startOAuthPortal() {
  let generation = 1;
  const refreshes: SeenRequest[] = [];
  const server = await startScriptedServer((request, response) => {
    if (request.path.startsWith('/oauth/token/')) {
      refreshes.push(request);
      if (request.params.refresh_token !== `refresh-${generation}`)
        return json(response, 400, { error: 'invalid_grant' });
      generation += 1;
      // Answer slowly, so that concurrent callers really overlap with the refresh.
      setTimeout(
        () =>
          json(response, 200, {
            access_token: `access-${generation}`,
            refresh_token: `refresh-${generation}`,
            expires_in: 3600,
          }),
        30,
      );
      return;
    }
    if (request.params.auth !== `access-${generation}`)
      return json(response, 401, { error: 'expired_token' });
    json(response, 200, { result: { owner: 5 } });
  });
  servers.push(server);
  return { server, refreshes };
}

describe('OAuth refresh', () => {
  it('refreshes once for many concurrent calls across two transports, persists the rotated token, retries once', async () => {
    const { server, refreshes } = await startOAuthPortal();
    const tokens = createMemoryTokenStore({
      [portal]: { accessToken: 'access-0', refreshToken: 'refresh-1', clientEndpoint: `${server.url}/rest/` },
    });
    const locks = createMemoryLockManager();
    const make = () =>
      createBitrixTransport({
        portals: { [portal]: { auth: { type: 'oauth' }, bot: { id: 7 } } },
        oauth: {
          clientId: 'app',
          clientSecret: 'app-secret',
          tokenUrl: `${server.url}/oauth/token/`,
          tokens,
        },
        lockManager: locks,
        refreshWaitPollMs: 5,
      });
    const [first, second] = [make(), make()];
    const chats = Array.from({ length: 10 }, (_, index) => ({ portal, chatId: index + 1 }));
    const results = await Promise.all(
      chats.flatMap((chat) => [first.readDialogOwner(chat), second.readDialogOwner(chat)]),
    );
    expect(results.every((result) => result.ok && result.value.ownerId === 5)).toBe(true);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.params).toMatchObject({
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: 'refresh-1',
    });
    expect(await tokens.get(portal)).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
  });

  it('fails with REFRESH_FAILED when the refresh token is dead, without leaking secrets', async () => {
    const { server } = await startOAuthPortal();
    const tokens = createMemoryTokenStore({
      [portal]: {
        accessToken: 'access-0',
        refreshToken: 'refresh-dead',
        clientEndpoint: `${server.url}/rest/`,
      },
    });
    const transport = createBitrixTransport({
      portals: { [portal]: { auth: { type: 'oauth' }, bot: { id: 7 } } },
      oauth: { clientId: 'app', clientSecret: 'app-secret', tokenUrl: `${server.url}/oauth/token/`, tokens },
    });
    const result = await transport.readDialogOwner({ portal, chatId: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'REFRESH_FAILED', retryable: false } });
    expect(JSON.stringify(result)).not.toMatch(/refresh-dead|app-secret|access-0/);
  });
});
