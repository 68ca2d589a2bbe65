import type { LockManager } from '@baton/core';
import type { Lock } from '@baton/core/adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenKeeper } from '../../src/auth/token-keeper.js';
import { createTokenRefresher } from '../../src/auth/token-refresher.js';
import type { OAuthTokenStore, OAuthTokens } from '../../src/auth/token-store.js';
import { isBitrixError } from '../../src/errors.js';
import { json, startScriptedServer } from '../helpers/http-server.js';

// The waiting side of the cross-process refresh, on a manual clock: a lock taken by another
// process (a lock manager that answers after 10 ms of clock time), and a store in which that
// process's result appears at a chosen time. Sleeping advances the clock; nothing waits on real time.
const portal = '4207311';
const lockTtlMs = 1_000;
const waitPollMs = 100;
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function scenario(options: { lockFreeAt: number; tokensAppearAt: number; firstReadMs?: number }) {
  let clock = 0;
  let reads = 0;
  const stale: OAuthTokens = {
    accessToken: 'access-700001',
    refreshToken: 'refresh-700001',
    clientEndpoint: 'http://127.0.0.1:9/rest/',
  };
  const renewed: OAuthTokens = { ...stale, accessToken: 'access-700002', refreshToken: 'refresh-700002' };
  const store: OAuthTokenStore = {
    async get() {
      reads += 1;
      if (reads === 2) clock += options.firstReadMs ?? 0; // the read after the grant is slow
      return clock >= options.tokensAppearAt ? renewed : stale;
    },
    async set() {},
  };
  const heldElsewhere: LockManager = {
    async tryAcquire(name): Promise<Lock | undefined> {
      const free = clock >= options.lockFreeAt;
      clock += 10;
      return free
        ? { name, token: 'lock-700001', extend: async () => true, release: async () => true }
        : undefined;
    },
    async close() {},
  };
  return {
    store,
    heldElsewhere,
    renewed,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

async function refresherFor(s: ReturnType<typeof scenario>) {
  const server = await startScriptedServer((_request, response) =>
    json(response, 200, { access_token: 'access-700003', refresh_token: 'refresh-700003', expires_in: 3600 }),
  );
  servers.push(server);
  const refresher = createTokenRefresher({
    app: {
      clientId: 'app.700001',
      clientSecret: 'secret',
      tokenUrl: `${server.url}/oauth/token/`,
      tokens: s.store,
    },
    keeper: createTokenKeeper(s.store, undefined),
    locks: s.heldElsewhere,
    fetch: (input, init) => fetch(input, init),
    takeGrant: async () => undefined,
    timeoutMs: 5_000,
    lockTtlMs,
    waitPollMs,
    now: s.now,
    sleep: async (ms) => s.advance(ms),
  });
  return { refresher, server };
}

describe("waiting on another process's refresh lock", () => {
  it('waits for the whole lease it saw, even when it first saw the lock late', async () => {
    const s = scenario({ lockFreeAt: Number.POSITIVE_INFINITY, tokensAppearAt: 1_350, firstReadMs: 400 });
    const { refresher, server } = await refresherFor(s);
    const result = await refresher.refresh(portal, 'access-700001');
    expect(isBitrixError(result) ? result.code : result.accessToken).toBe('access-700002');
    expect(server.seen).toHaveLength(0);
  });

  it('looks once more when its wait ends, and takes the tokens that appeared just then', async () => {
    const s = scenario({ lockFreeAt: Number.POSITIVE_INFINITY, tokensAppearAt: 1_110 });
    const { refresher, server } = await refresherFor(s);
    const result = await refresher.refresh(portal, 'access-700001');
    expect(isBitrixError(result) ? result.code : result.accessToken).toBe('access-700002');
    expect(server.seen).toHaveLength(0);
  });

  it('gives up with REFRESH_FAILED after one lease and a last look when nothing changes', async () => {
    const s = scenario({ lockFreeAt: Number.POSITIVE_INFINITY, tokensAppearAt: Number.POSITIVE_INFINITY });
    const { refresher, server } = await refresherFor(s);
    const result = await refresher.refresh(portal, 'access-700001');
    expect(result).toMatchObject({ code: 'REFRESH_FAILED', context: { retryable: true } });
    expect(s.now()).toBeLessThan(lockTtlMs * 3);
    expect(server.seen).toHaveLength(0);
  });
});
