import { createMemoryRateLimiter } from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrixTransport } from '../../src/transport.js';
import { dialogAnswer, json, startScriptedServer } from '../helpers/http-server.js';

const portal = 'member-1';
const secret = 'webhook-secret-xyz';
const servers: Array<{ close(): Promise<void> }> = [];

async function setup(reply: Parameters<typeof startScriptedServer>[0], extra: Record<string, unknown> = {}) {
  const server = await startScriptedServer(reply);
  servers.push(server);
  const transport = createBitrixTransport({
    portals: {
      [portal]: {
        auth: { type: 'webhook', url: `${server.url}/rest/1/${secret}/` },
        bot: { id: 7, clientId: 'bot-client' },
      },
    },
    timeoutMs: 200,
    ...extra,
  });
  return { server, transport };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const chat = { portal, chatId: 42 };

describe('the REST client underneath the transport', () => {
  it('sends the documented transfer parameters to the webhook URL', async () => {
    const { server, transport } = await setup((_, response) => json(response, 200, { result: true }));
    const result = await transport.transfer({ ...chat, target: { kind: 'user', userId: 5 }, leave: false });
    expect(result).toEqual({ ok: true, value: undefined });
    expect(server.seen[0]).toEqual({
      path: `/rest/1/${secret}/imopenlines.bot.session.transfer.json`,
      params: { CHAT_ID: '42', USER_ID: '5', LEAVE: 'N', CLIENT_ID: 'bot-client' },
    });
  });

  it('validates arguments before any request', async () => {
    const { server, transport } = await setup((_, response) => json(response, 200, { result: true }));
    const missingChat = await transport.transfer({
      portal,
      chatId: 0,
      target: { kind: 'queue', queueId: 3 },
      leave: true,
    });
    const missingTarget = await transport.transfer({ ...chat, leave: true } as never);
    expect(missingChat).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', retryable: false } });
    expect(missingTarget).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await transport.removeBot({ portal: 'nobody', chatId: 1 })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_PORTAL' },
    });
    expect(server.seen).toEqual([]);
  });

  it('makes one attempt per call, classifies 500 and QUERY_LIMIT_EXCEEDED, and tells the limiter', async () => {
    let calls = 0;
    const penalized: string[] = [];
    const limiter = createMemoryRateLimiter();
    const { server, transport } = await setup(
      (request, response) => {
        calls += 1;
        if (calls === 1) json(response, 500, { error: 'INTERNAL_SERVER_ERROR' });
        else if (calls === 2) json(response, 503, { error: 'QUERY_LIMIT_EXCEEDED' });
        else json(response, 200, dialogAnswer(request, '0'));
      },
      {
        rateLimiter: {
          ...limiter,
          penalize: async (p: string, ms: number) => {
            penalized.push(p);
            await limiter.penalize(p, ms);
          },
        },
        queryLimitPenaltyMs: 1,
      },
    );
    expect(await transport.readDialogOwner(chat)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL_SERVER_ERROR', retryable: true, kind: 'transient', outcomeUnknown: true },
    });
    expect(server.seen).toHaveLength(1);
    expect(await transport.readDialogOwner(chat)).toMatchObject({
      ok: false,
      error: { code: 'QUERY_LIMIT_EXCEEDED', retryable: true, kind: 'budget', outcomeUnknown: false },
    });
    expect(server.seen).toHaveLength(2);
    expect(penalized).toEqual([portal]);
    expect(await transport.readDialogOwner(chat)).toEqual({ ok: true, value: { ownerId: 0 } });
    expect(server.seen).toHaveLength(3);
  });

  it('does not retry OVERLOAD_LIMIT or other 4xx', async () => {
    const { server, transport } = await setup((_, response) =>
      json(response, 503, { error: 'OVERLOAD_LIMIT' }),
    );
    expect(await transport.handToQueue(chat)).toMatchObject({
      ok: false,
      error: { code: 'OVERLOAD_LIMIT', retryable: false, status: 503 },
    });
    expect(server.seen).toHaveLength(1);
  });

  it('turns HTML, resets and hangs into coded failures without leaking the secret', async () => {
    const html = await setup((_, response) => {
      response.writeHead(503, { 'content-type': 'text/html' });
      response.end('<html>blocked</html>');
    });
    const reset = await setup((_, response, raw) => {
      raw.socket.destroy();
      response.destroy();
    });
    const hang = await setup(() => undefined);
    const results = [
      await html.transport.finishSession(chat),
      await reset.transport.finishSession(chat),
      await hang.transport.finishSession(chat),
    ];
    expect(results.map((result) => !result.ok && result.error.code)).toEqual([
      'INVALID_RESPONSE',
      'NETWORK',
      'TIMEOUT',
    ]);
    expect(results.every((result) => !result.ok && result.error.retryable)).toBe(true);
    expect(JSON.stringify(results)).not.toContain(secret);
    expect(results.every((result) => !result.ok && result.error.outcomeUnknown)).toBe(true);
    expect(html.server.seen).toHaveLength(1); // one attempt: retrying is the engine's decision
  });

  it('honours an AbortSignal', async () => {
    const { transport } = await setup(() => undefined, { timeoutMs: 5_000 });
    const controller = new AbortController();
    const pending = transport.finishSession(chat, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'ABORTED', retryable: false } });
  });

  it('maps "not a member" to alreadyGone for v1 and v2', async () => {
    const v1 = await setup((_, response) => json(response, 400, { error: 'WRONG_REQUEST' }));
    expect(await v1.transport.removeBot(chat)).toEqual({ ok: true, value: { alreadyGone: true } });
    const v2 = await setup((_, response) => json(response, 403, { error: 'ACCESS_DENIED' }));
    const transportV2 = createBitrixTransport({
      portals: {
        [portal]: {
          auth: { type: 'webhook', url: `${v2.server.url}/rest/1/${secret}/` },
          bot: { id: 7, clientId: 'c', api: 'v2' },
        },
      },
    });
    expect(await transportV2.removeBot(chat)).toEqual({ ok: true, value: { alreadyGone: true } });
    expect(v2.server.seen[0]?.params).toEqual({ botId: '7', dialogId: 'chat42', botToken: 'c' });
  });

  it('returns RATE_LIMITED with a wait when the budget is spent and waiting is not allowed', async () => {
    const limiter = createMemoryRateLimiter({ limit: { ratePerSecond: 1, burst: 1 } });
    const { server, transport } = await setup((_, response) => json(response, 200, { result: true }), {
      rateLimiter: limiter,
      maxRateLimitWaitMs: 0,
    });
    expect((await transport.finishSession(chat)).ok).toBe(true);
    const refused = await transport.finishSession(chat);
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryable: true } });
    expect(!refused.ok && refused.error.retryAfterMs).toBeGreaterThan(0);
    expect(server.seen).toHaveLength(1);
  });
});
