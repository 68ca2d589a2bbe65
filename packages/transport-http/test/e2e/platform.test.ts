import { createMemoryRateLimiter } from '@baton/core';
import { createEmulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTokenStore } from '../../src/auth/token-store.js';
import { createBitrixTransport } from '../../src/transport.js';

type Emulator = Awaited<ReturnType<typeof createEmulator>>;
const emulators: Emulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});

async function webhookSetup(
  options: Parameters<typeof createEmulator>[0] = {},
  extra: Record<string, unknown> = {},
) {
  const emulator = await createEmulator({ rateLimit: false, ...options });
  emulators.push(emulator);
  const portal = emulator.createPortal();
  const webhook = portal.createWebhook();
  const bot = portal.registerBot({ eventsVersion: 1 });
  const operator = portal.createOperator();
  const line = portal.createLine({ queue: [operator.userId] });
  const transport = createBitrixTransport({
    portals: {
      [portal.memberId]: {
        auth: { type: 'webhook', url: webhook.baseUrl },
        bot: { id: bot.botId, clientId: bot.clientId },
      },
    },
    timeoutMs: 300,
    ...extra,
  });
  const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId });
  return {
    emulator,
    portal,
    webhook,
    bot,
    operator,
    line,
    transport,
    chat,
    key: { portal: portal.memberId, chatId: chat.chatId },
  };
}

const transferMethod = 'imopenlines.bot.session.transfer';

describe('the transport against the emulator', () => {
  it.each([
    [503, 'QUERY_LIMIT_EXCEEDED', true],
    [503, 'OVERLOAD_LIMIT', false],
    [500, 'INTERNAL_SERVER_ERROR', true],
    [500, 'PORTAL_DELETED', false],
    [429, 'OPERATION_TIME_LIMIT', true],
    [401, 'NO_AUTH_FOUND', false],
    [401, 'expired_token', false],
    [401, 'invalid_token', false],
    [403, 'ACCESS_DENIED', false],
    [403, 'INVALID_CREDENTIALS', false],
    [403, 'insufficient_scope', false],
    [403, 'WRONG_AUTH_TYPE', false],
    [400, 'CHAT_ID_EMPTY', false],
    [400, 'USER_ID_EMPTY', false],
    [400, 'QUEUE_ID_EMPTY', false],
    [400, 'BOT_ID_ERROR', false],
    [400, 'WRONG_CHAT', false],
    [400, 'OPERATOR_WRONG', true],
  ])(
    "maps HTTP %i %s (retryable: %s) with one request: retrying is the engine's decision",
    async (status, error, retryable) => {
      const t = await webhookSetup({}, { queryLimitPenaltyMs: 1 });
      t.emulator.faults.add({ method: transferMethod, kind: 'status', status, error });
      const result = await t.transport.transfer({
        ...t.key,
        target: { kind: 'user', userId: t.operator.userId },
        leave: true,
      });
      expect(result).toMatchObject({ ok: false, error: { code: error, status, retryable } });
      const calls = t.emulator.requests.filter((request) => request.method === transferMethod).length;
      expect(calls).toBe(1);
      // A 5xx other than the documented "refused before running" answer may have run.
      const mayHaveRun = status >= 500 && error !== 'QUERY_LIMIT_EXCEEDED';
      expect(!result.ok && result.error.outcomeUnknown).toBe(mayHaveRun);
    },
  );

  it.each([
    ['status 503 QUERY_LIMIT_EXCEEDED', { kind: 'status', status: 503, error: 'QUERY_LIMIT_EXCEEDED' }],
    ['status 429 OPERATION_TIME_LIMIT', { kind: 'status', status: 429, error: 'OPERATION_TIME_LIMIT' }],
  ] as const)(
    'returns a %s (refused before running) as a budget failure; made again, the transfer happens once',
    async (_, fault) => {
      const t = await webhookSetup({}, { queryLimitPenaltyMs: 1 });
      t.emulator.faults.add({ method: transferMethod, times: 1, ...fault });
      const transfer = () =>
        t.transport.transfer({
          ...t.key,
          target: { kind: 'user', userId: t.operator.userId },
          leave: true,
        });
      expect(await transfer()).toMatchObject({
        ok: false,
        error: { code: fault.error, retryable: true, kind: 'budget', outcomeUnknown: false },
      });
      expect(t.portal.chat(t.chat.chatId).transfers).toHaveLength(0);
      expect(await transfer()).toEqual({ ok: true, value: undefined });
      expect(t.portal.chat(t.chat.chatId).transfers).toHaveLength(1);
    },
  );

  it.each([
    ['status 500', { kind: 'status', status: 500 }, 'INTERNAL_SERVER_ERROR'],
    ['reset', { kind: 'reset' }, 'NETWORK'],
    ['hang', { kind: 'hang' }, 'TIMEOUT'],
    ['html', { kind: 'html' }, 'INVALID_RESPONSE'],
  ] as const)(
    'does not repeat a transfer after a %s whose outcome is unknown: a retryable %s',
    async (_, fault, code) => {
      const t = await webhookSetup({}, { queryLimitPenaltyMs: 1 });
      t.emulator.faults.add({ method: transferMethod, times: 1, ...fault });
      const result = await t.transport.transfer({
        ...t.key,
        target: { kind: 'user', userId: t.operator.userId },
        leave: true,
      });
      expect(result).toMatchObject({
        ok: false,
        error: { code, retryable: true, kind: 'transient', outcomeUnknown: true },
      });
      expect(t.emulator.requests.filter((request) => request.method === transferMethod)).toHaveLength(1);
    },
  );

  it('returns a LEAVE=Y transfer that ran but lost its answer as NETWORK, without repeating it', async () => {
    const t = await webhookSetup();
    t.emulator.faults.add({ method: transferMethod, times: 1, kind: 'reset', when: 'after' });
    const result = await t.transport.transfer({
      ...t.key,
      target: { kind: 'user', userId: t.operator.userId },
      leave: true,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'NETWORK', retryable: true } });
    // It did happen, once: a repeat would have been refused, the bot having left.
    expect(t.portal.chat(t.chat.chatId).transfers).toHaveLength(1);
    expect(t.portal.chat(t.chat.chatId).botPresent).toBe(false);
    expect(t.emulator.requests.filter((request) => request.method === transferMethod)).toHaveLength(1);
  });

  it.each([
    ['status 500', { kind: 'status', status: 500 }],
    ['reset', { kind: 'reset' }],
    ['hang', { kind: 'hang' }],
    ['html', { kind: 'html' }],
  ] as const)(
    'returns a transient %s of a call that is safe to repeat; made again, it succeeds',
    async (_, fault) => {
      const t = await webhookSetup();
      t.emulator.faults.add({ method: 'imopenlines.bot.session.finish', times: 1, ...fault });
      expect(await t.transport.finishSession(t.key)).toMatchObject({
        ok: false,
        error: { retryable: true, kind: 'transient' },
      });
      expect(await t.transport.finishSession(t.key)).toEqual({ ok: true, value: undefined });
      expect(t.portal.chat(t.chat.chatId).state).toBe('finished');
    },
  );

  it.each([
    ['v1', 400, 'ACCESS_ERROR'],
    ['v1', 400, 'BOT_ID_ERROR'],
    ['v1', 400, 'APP_ID_ERROR'],
    ['v2', 400, 'BOT_NOT_FOUND'],
    ['v2', 403, 'BOT_OWNERSHIP_ERROR'],
    ['v2', 400, 'WRONG_REQUEST'],
    ['v1', 404, 'ERROR_METHOD_NOT_FOUND'],
    ['v1', 400, 'TRANSFER_ID_EMPTY'],
  ] as const)(
    'a %s leave answered HTTP %i %s is a final failure, not "already gone"',
    async (api, status, error) => {
      const t = await webhookSetup();
      const transport = createBitrixTransport({
        portals: {
          [t.portal.memberId]: {
            auth: { type: 'webhook', url: t.webhook.baseUrl },
            bot: { id: t.bot.botId, clientId: t.bot.clientId, api },
          },
        },
      });
      const method = api === 'v2' ? 'imbot.v2.Chat.leave' : 'imbot.chat.leave';
      t.emulator.faults.add({ method, kind: 'status', status, error });
      expect(await transport.removeBot(t.key)).toMatchObject({
        ok: false,
        error: { code: error, status, retryable: false },
      });
      expect(t.emulator.requests.filter((request) => request.method === method)).toHaveLength(1);
      expect(t.portal.chat(t.chat.chatId).botPresent).toBe(true);
      await transport.close();
    },
  );

  it('waits for operating_reset_at after OPERATION_TIME_LIMIT, or hands the wait back when it is too long', async () => {
    const operatingLimit = { windowMs: 300, budgetMs: 2, costMs: 1 };
    const patient = await webhookSetup({ operatingLimit });
    const method = 'imbot.message.add';
    const say = (setup: typeof patient) =>
      setup.transport.sendBotMessage({ ...setup.key, text: 'One moment, please' });
    for (let call = 0; call < 3; call += 1) {
      expect(await say(patient)).toEqual({ ok: true, value: undefined });
    }
    const log = patient.emulator.requests.filter((request) => request.method === method);
    const blocked = log.findIndex((request) => request.error === 'OPERATION_TIME_LIMIT');
    expect(blocked).toBe(2);
    const retry = log[blocked + 1];
    expect(retry?.error).toBeUndefined();
    // The retry came no earlier than the window let the method run again.
    expect((retry?.at ?? 0) - (log[0]?.at ?? 0)).toBeGreaterThanOrEqual(operatingLimit.windowMs);
    // …and it waited for the reset the method's last answer announced, not the blind 10 s default.
    expect((retry?.at ?? 0) - (log[blocked]?.at ?? 0)).toBeLessThan(2_500);

    const hasty = await webhookSetup({ operatingLimit }, { maxOperatingWaitMs: 1 });
    await say(hasty);
    await say(hasty);
    const refused = await say(hasty);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'OPERATION_TIME_LIMIT', status: 429, retryable: true },
    });
    expect(!refused.ok && refused.error.retryAfterMs).toBeGreaterThan(0);
    expect(hasty.emulator.requests.filter((request) => request.method === method)).toHaveLength(3);
  });

  it('returns OPERATOR_WRONG while another transfer holds the chat as a target failure; made after the lock, it succeeds', async () => {
    const t = await webhookSetup();
    t.portal.holdTransferLock(t.chat.chatId, 60);
    const transfer = () =>
      t.transport.transfer({
        ...t.key,
        target: { kind: 'user', userId: t.operator.userId },
        leave: true,
      });
    expect(await transfer()).toMatchObject({
      ok: false,
      error: { code: 'OPERATOR_WRONG', retryable: true, kind: 'target', outcomeUnknown: false },
    });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await transfer()).toEqual({ ok: true, value: undefined });
    const answers = t.emulator.requests
      .filter((request) => request.method === transferMethod)
      .map((request) => request.error ?? 'ok');
    expect(answers).toEqual(['OPERATOR_WRONG', 'ok']);
  });

  it('reports persistent faults as coded, retryable failures without the webhook secret', async () => {
    const t = await webhookSetup();
    const results = [];
    for (const fault of [{ kind: 'reset' }, { kind: 'hang' }, { kind: 'html' }] as const) {
      const added = t.emulator.faults.add({ method: 'imopenlines.bot.session.finish', ...fault });
      results.push(await t.transport.finishSession(t.key));
      added.remove();
    }
    expect(results.map((result) => !result.ok && [result.error.code, result.error.retryable])).toEqual([
      ['NETWORK', true],
      ['TIMEOUT', true],
      ['INVALID_RESPONSE', true],
    ]);
    expect(JSON.stringify(results)).not.toContain(t.webhook.secret);
  });

  it('sends a bot message, reads the owner, removes the bot and tolerates it being gone', async () => {
    const t = await webhookSetup();
    expect(await t.transport.sendBotMessage({ ...t.key, text: 'Connecting you to an operator…' })).toEqual({
      ok: true,
      value: undefined,
    });
    // One batch request: the owner, and the bot's membership.
    expect(await t.transport.readDialogOwner(t.key)).toEqual({
      ok: true,
      value: { ownerId: 0, botPresent: true },
    });
    expect(t.emulator.requests.filter((request) => request.method === 'batch')).toHaveLength(1);
    expect(await t.transport.removeBot(t.key)).toEqual({ ok: true, value: { alreadyGone: false } });
    expect(t.portal.chat(t.chat.chatId).botPresent).toBe(false);
    expect(await t.transport.removeBot(t.key)).toEqual({ ok: true, value: { alreadyGone: true } });
  });

  it("hands a chat to the line's queue and finishes another", async () => {
    const t = await webhookSetup();
    expect(await t.transport.handToQueue(t.key)).toEqual({ ok: true, value: undefined });
    expect(t.portal.chat(t.chat.chatId).state).not.toBe('bot');
    const other = t.portal.createClientChat({ lineId: t.line.lineId, botId: t.bot.botId });
    expect(await t.transport.finishSession({ portal: t.portal.memberId, chatId: other.chatId })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(t.portal.chat(other.chatId).state).toBe('finished');
  });

  it('refreshes an expired OAuth token once for many concurrent calls and persists the rotation', async () => {
    const emulator = await createEmulator({ rateLimit: false });
    emulators.push(emulator);
    const portal = emulator.createPortal();
    const app = portal.installApp();
    const bot = portal.registerBot({ appClientId: app.clientId });
    const line = portal.createLine({ queue: [portal.createOperator().userId] });
    const chats = Array.from({ length: 8 }, () =>
      portal.createClientChat({ lineId: line.lineId, botId: bot.botId }),
    );
    const tokens = createMemoryTokenStore({
      [portal.memberId]: {
        accessToken: app.accessToken,
        refreshToken: app.refreshToken,
        clientEndpoint: app.clientEndpoint,
      },
    });
    const transport = createBitrixTransport({
      portals: { [portal.memberId]: { auth: { type: 'oauth' }, bot: { id: bot.botId } } },
      oauth: {
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        tokenUrl: `${emulator.url}/oauth/token/`,
        tokens,
      },
    });
    portal.expireAccessTokens();
    const results = await Promise.all(
      chats.map((chat) => transport.readDialogOwner({ portal: portal.memberId, chatId: chat.chatId })),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(emulator.requests.filter((request) => request.method === 'oauth.token')).toHaveLength(1);
    const stored = await tokens.get(portal.memberId);
    expect(stored?.refreshToken).not.toBe(app.refreshToken);
    // The rotated token keeps working after the next expiry.
    portal.expireAccessTokens();
    expect(
      (await transport.readDialogOwner({ portal: portal.memberId, chatId: chats[0]?.chatId ?? 0 })).ok,
    ).toBe(true);
    expect(emulator.requests.filter((request) => request.method === 'oauth.token')).toHaveLength(2);
  });

  it('a 120-request burst on one portal stays inside the bucket: zero QUERY_LIMIT_EXCEEDED', async () => {
    // The portal's bucket, scaled up so that the test is quick; Baton's limiter keeps headroom
    // below its burst because requests reach the portal later than they were granted, by varying
    // amounts (new connections, a busy event loop), as they do on a real network.
    const limit = { ratePerSecond: 20, burst: 50 };
    const t = await webhookSetup(
      { rateLimit: limit },
      {
        rateLimiter: createMemoryRateLimiter({ limit: { ratePerSecond: 20, burst: 40 } }),
        timeoutMs: 10_000,
      },
    );
    const results = await Promise.all(Array.from({ length: 120 }, () => t.transport.readDialogOwner(t.key)));
    expect(results.filter((result) => !result.ok)).toEqual([]);
    const log = t.emulator.requests.filter((request) => request.method === 'batch');
    expect(log).toHaveLength(120);
    expect(log.filter((request) => request.error === 'QUERY_LIMIT_EXCEEDED')).toEqual([]);
    // Leaky bucket check on the emulator's own arrival times: never more than burst queued.
    let level = 0;
    let last = log[0]?.at ?? 0;
    for (const request of log) {
      level = Math.max(0, level - ((request.at - last) * limit.ratePerSecond) / 1000) + 1;
      last = request.at;
      expect(level).toBeLessThanOrEqual(limit.burst + 1e-6);
    }
  });
});
