import { createMemoryRateLimiter } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTokenStore } from '../../src/auth/token-store.js';
import { isBitrixError } from '../../src/errors.js';
import type { FetchFunction } from '../../src/rest/send-request.js';
import { createBitrixTransport } from '../../src/transport.js';
import { dialogAnswer, json, startScriptedServer } from '../helpers/http-server.js';

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server() {
  const started = await startScriptedServer((request, response) =>
    json(
      response,
      200,
      /(dialog\.get|batch)/.test(request.path) ? dialogAnswer(request, 0) : { result: true },
    ),
  );
  servers.push(started);
  return started;
}

describe("the transport's own error codes", () => {
  it('refuses invalid options with INVALID_INPUT at construction, naming no secret', () => {
    let thrown: unknown;
    try {
      createBitrixTransport({
        portals: {},
        oauth: { clientId: 'app', clientSecret: 'top-secret', tokens: {} as never },
        timeoutMs: -1,
      });
    } catch (error) {
      thrown = error;
    }
    expect(isBitrixError(thrown, 'INVALID_INPUT')).toBe(true);
    expect(String((thrown as Error).message)).toMatch(/timeoutMs/);
    expect(String((thrown as Error).message)).not.toContain('top-secret');
  });

  it('answers INVALID_INPUT for invalid portal settings and UNKNOWN_PORTAL for missing tokens, sending nothing', async () => {
    const { url, seen } = await server();
    const transport = createBitrixTransport({
      portals: {
        plain: { auth: { type: 'webhook', url: `${url}/rest/1/no-trailing-slash` }, bot: { id: 7 } },
        app: { auth: { type: 'oauth' }, bot: { id: 7 } },
      },
      oauth: { clientId: 'app', clientSecret: 's', tokens: createMemoryTokenStore() },
    });
    expect(await transport.finishSession({ portal: 'plain', chatId: 1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', retryable: false },
    });
    expect(await transport.finishSession({ portal: 'app', chatId: 1 })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_PORTAL', retryable: false },
    });
    expect(seen).toEqual([]);
  });

  it('answers UNEXPECTED when a pluggable part throws, and CLOSED after close()', async () => {
    const { url } = await server();
    const transport = createBitrixTransport({
      portals: { app: { auth: { type: 'oauth' }, bot: { id: 7 } } },
      oauth: {
        clientId: 'app',
        clientSecret: 's',
        tokens: {
          get: async () => {
            throw new Error('token database unavailable');
          },
          set: async () => undefined,
        },
      },
    });
    expect(await transport.readDialogOwner({ portal: 'app', chatId: 1 })).toMatchObject({
      ok: false,
      error: { code: 'UNEXPECTED', retryable: true },
    });
    const webhook = createBitrixTransport({
      portals: { plain: { auth: { type: 'webhook', url: `${url}/rest/1/s/` }, bot: { id: 7 } } },
    });
    await webhook.close();
    await webhook.close(); // idempotent
    expect(await webhook.finishSession({ portal: 'plain', chatId: 1 })).toMatchObject({
      ok: false,
      error: { code: 'CLOSED', retryable: false },
    });
  });
});

describe('one transport, many portals', () => {
  it('sends each portal its own auth, CLIENT_ID only through webhooks, and keeps their budgets apart', async () => {
    const { url, seen } = await server();
    const tokens = createMemoryTokenStore({
      app: {
        accessToken: 'access-app',
        refreshToken: 'refresh-app',
        clientEndpoint: `${url}/app-portal/rest/`,
      },
    });
    const transport = createBitrixTransport({
      portals: {
        hook: {
          auth: { type: 'webhook', url: `${url}/rest/1/hook-secret/` },
          bot: { id: 7, clientId: 'bot-c' },
        },
        app: { auth: { type: 'oauth' }, bot: { id: 9, clientId: 'bot-c' } },
      },
      oauth: { clientId: 'app', clientSecret: 's', tokens },
      // One request per portal per second: the first portal's spent budget must not stop the second.
      rateLimiter: createMemoryRateLimiter({ limit: { ratePerSecond: 1, burst: 1 } }),
      maxRateLimitWaitMs: 0,
    });
    const transfer = { target: { kind: 'queue', queueId: 3 }, leave: false } as const;
    expect(await transport.transfer({ portal: 'hook', chatId: 1, ...transfer })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(await transport.transfer({ portal: 'app', chatId: 2, ...transfer })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(await transport.transfer({ portal: 'hook', chatId: 1, ...transfer })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
    expect(seen).toEqual([
      {
        path: '/rest/1/hook-secret/imopenlines.bot.session.transfer.json',
        params: { CHAT_ID: '1', QUEUE_ID: '3', LEAVE: 'N', CLIENT_ID: 'bot-c' },
      },
      {
        path: '/app-portal/rest/imopenlines.bot.session.transfer',
        params: { CHAT_ID: '2', QUEUE_ID: '3', LEAVE: 'N', auth: 'access-app' },
      },
    ]);
  });

  it('sends every request through an injected fetch', async () => {
    const { url } = await server();
    const used: string[] = [];
    const fetch: FetchFunction = (input, init) => {
      used.push(new URL(input).pathname);
      return globalThis.fetch(input, init);
    };
    const transport = createBitrixTransport({
      portals: { plain: { auth: { type: 'webhook', url: `${url}/rest/1/s/` }, bot: { id: 7 } } },
      fetch,
    });
    expect(await transport.readDialogOwner({ portal: 'plain', chatId: 1 })).toEqual({
      ok: true,
      value: { ownerId: 0 },
    });
    expect(used).toEqual(['/rest/1/s/batch.json']);
  });
});
