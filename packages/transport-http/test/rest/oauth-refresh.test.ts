import { createMemoryLockManager } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTokenStore, type OAuthTokenStore } from '../../src/auth/token-store.js';
import { type BitrixTransportOptions, createBitrixTransport } from '../../src/transport.js';
import { dialogAnswer, json, type SeenRequest, startScriptedServer } from '../helpers/http-server.js';

const portal = 'member-1';
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A tiny OAuth portal: one valid access token at a time, rotating refresh tokens. */
async function startOAuthPortal(refreshDelayMs = 30) {
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
        refreshDelayMs,
      );
      return;
    }
    if (request.params.auth !== `access-${generation}`)
      return json(response, 401, { error: 'expired_token' });
    json(response, 200, dialogAnswer(request, 5));
  });
  servers.push(server);
  return { server, refreshes };
}

/** The portal's tokens: an expired access token and the given refresh token. */
function tokensFor(serverUrl: string, refreshToken = 'refresh-1'): OAuthTokenStore {
  return createMemoryTokenStore({
    [portal]: { accessToken: 'access-0', refreshToken, clientEndpoint: `${serverUrl}/rest/` },
  });
}

/** A transport of `portal` through the OAuth app `app`, with `extra` options. */
function oauthTransport(
  serverUrl: string,
  tokens: OAuthTokenStore,
  extra: Partial<BitrixTransportOptions> = {},
) {
  return createBitrixTransport({
    portals: { [portal]: { auth: { type: 'oauth' }, bot: { id: 7 } } },
    oauth: { clientId: 'app', clientSecret: 'app-secret', tokenUrl: `${serverUrl}/oauth/token/`, tokens },
    ...extra,
  });
}

describe('OAuth refresh', () => {
  it('refreshes once for many concurrent calls across two transports, persists the rotated token, retries once', async () => {
    const { server, refreshes } = await startOAuthPortal();
    const tokens = tokensFor(server.url);
    const locks = createMemoryLockManager();
    const make = () => oauthTransport(server.url, tokens, { lockManager: locks, refreshWaitPollMs: 5 });
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

  it('fails with REFRESH_TOKEN_SPENT when the refresh token is dead, without leaking secrets', async () => {
    const { server } = await startOAuthPortal();
    const transport = oauthTransport(server.url, tokensFor(server.url, 'refresh-dead'));
    const result = await transport.readDialogOwner({ portal, chatId: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'REFRESH_TOKEN_SPENT', retryable: false } });
    expect(JSON.stringify(result)).not.toMatch(/refresh-dead|app-secret|access-0/);
  });

  it('lets one caller give up on a shared refresh without failing the others or losing the rotated token', async () => {
    const { server, refreshes } = await startOAuthPortal(150);
    const tokens = tokensFor(server.url);
    const transport = oauthTransport(server.url, tokens);
    const controller = new AbortController();
    const impatient = transport.readDialogOwner({ portal, chatId: 1 }, { signal: controller.signal });
    // The impatient call started the refresh; a second call joins it, then the first gives up.
    while (refreshes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const patient = transport.readDialogOwner({ portal, chatId: 2 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    expect(await impatient).toMatchObject({ ok: false, error: { code: 'ABORTED', retryable: false } });
    expect(await patient).toEqual({ ok: true, value: { ownerId: 5 } });
    expect(refreshes).toHaveLength(1);
    // The refresh token sent was spent: its successor must be in the store.
    expect(await tokens.get(portal)).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await transport.close();
  });

  it('never lets two processes send the same refresh token, even when the grant outlasts the lock', async () => {
    const { server, refreshes } = await startOAuthPortal();
    const locks = createMemoryLockManager();
    const tokens = tokensFor(server.url);
    // Every grant takes longer than the lock's lease; the refresher must not send with a lapsed lock.
    const slowLimiter = {
      acquire: async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return { granted: true } as const;
      },
      penalize: async () => undefined,
      close: async () => undefined,
    };
    const make = () =>
      oauthTransport(server.url, tokens, {
        lockManager: locks,
        rateLimiter: slowLimiter,
        refreshLockTtlMs: 100,
        refreshWaitPollMs: 5,
      });
    const results = await Promise.all([
      make().readDialogOwner({ portal, chatId: 1 }),
      make().readDialogOwner({ portal, chatId: 2 }),
    ]);
    // No refresh token was ever sent twice (that would have answered invalid_grant).
    const sent = refreshes.map((request) => request.params.refresh_token);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toEqual(['refresh-1']);
    expect(results.every((result) => result.ok)).toBe(true);
  });
});
