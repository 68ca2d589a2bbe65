import { Agent, globalAgent } from 'node:https';
import { createEmulator, type Emulator, type Portal } from '@baton/testkit';
import { ApiVersion, B24Hook, B24OAuth } from '@bitrix24/b24jssdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type SdkBot, type SdkClient, startSdkBot } from './sdk-bot.js';

// A bot written with the official SDK (`@bitrix24/b24jssdk`), on events, against the emulator
// over TLS: first through an incoming webhook, then as an OAuth app whose token expires.

let emulator: Emulator | undefined;
let bot: SdkBot | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await bot?.close();
  await emulator?.close();
  bot = undefined;
  emulator = undefined;
});

/** A TLS emulator with slack for the SDK's pacing, a support line (Alice) and a sales line (Bob). */
async function setUp() {
  emulator = await createEmulator({ tls: true, rateLimit: { ratePerSecond: 2, burst: 50, slackMs: 250 } });
  const portal = emulator.createPortal();
  const alice = portal.createOperator({ name: 'Alice' }).userId;
  const bob = portal.createOperator({ name: 'Bob' }).userId;
  const support = portal.createLine({ name: 'Support', queue: [alice] }).lineId;
  const sales = portal.createLine({ name: 'Sales', queue: [bob] }).lineId;
  return { emulator, portal, alice, bob, support, sales, ca: emulator.tls?.ca ?? '' };
}

/** A client chat on `lineId` with the bot in it, once its ONIMBOTJOINCHAT was heard. */
async function openChat(portal: Portal, lineId: number, botId: number): Promise<number> {
  const { chatId } = portal.createClientChat({ lineId, botId });
  await emulator?.idle();
  return chatId;
}

describe('an SDK bot through a webhook over TLS', () => {
  it('hands chats over to a user and to a queue, reads, leaves, batches, and keeps to the limit', async () => {
    const { portal, alice, bob, support, sales, ca } = await setUp();
    const hook = B24Hook.fromWebhookUrl(portal.createWebhook().baseUrl);
    const agent = new Agent({ ca, keepAlive: true });
    cleanups.push(() => agent.destroy());
    for (const version of [ApiVersion.v2, ApiVersion.v3]) {
      hook.getHttpClient(version).ajaxClient.defaults.httpsAgent = agent;
    }
    bot = await startSdkBot({
      clientId: 'sdk-bot',
      operatorId: alice,
      salesQueueId: sales,
      client: () => hook,
    });
    const { botId } = portal.registerBot({ clientId: 'sdk-bot', eventHandlerUrl: bot.url });

    expect(await hook.tools.healthCheck.make()).toBe(true);
    expect(await hook.tools.ping.make()).toBeGreaterThanOrEqual(0);

    // To a user, LEAVE=N: the bot announces it, stays, and leaves once Alice answered.
    const first = await openChat(portal, support, botId);
    await portal.clientWrites(first, 'human please');
    expect(portal.chat(first)).toMatchObject({
      state: 'waiting',
      waitingOperatorId: alice,
      botPresent: true,
    });
    expect(portal.messages(first).map((message) => message.text)).toContain('Connecting you to an operator');
    await portal.operatorAnswers(first, alice);
    expect(portal.chat(first)).toMatchObject({ state: 'answered', ownerId: alice, botPresent: false });
    expect(bot.calls.map((entry) => entry.method).slice(-2)).toEqual([
      'imopenlines.dialog.get',
      'imbot.chat.leave',
    ]);

    // To a user, LEAVE=Y: the transfer removes the bot.
    const second = await openChat(portal, support, botId);
    await portal.clientWrites(second, 'bye bot');
    expect(portal.chat(second)).toMatchObject({ waitingOperatorId: alice, botPresent: false });
    expect(portal.chat(second).transfers).toEqual([{ to: { userId: alice }, leave: true }]);

    // To a queue, LEAVE=N and LEAVE=Y: the chat moves to Bob's line; the calling bot stays either way.
    for (const [text, leave] of [
      ['sales', false],
      ['sales, leave', true],
    ] as const) {
      const chatId = await openChat(portal, support, botId);
      await portal.clientWrites(chatId, text);
      expect(portal.chat(chatId)).toMatchObject({ lineId: sales, waitingOperatorId: bob, botPresent: true });
      expect(portal.chat(chatId).transfers).toEqual([{ to: { queueId: sales }, leave }]);
    }

    // A batch of several calls, named, as the SDK sends it.
    const fifth = await openChat(portal, support, botId);
    await portal.clientWrites(fifth, 'status?');
    expect(bot.lastBatch).toEqual({
      dialog: expect.objectContaining({ id: fifth, owner: 0, session_id: portal.chat(fifth).sessionId }),
      lines: expect.arrayContaining([expect.objectContaining({ ID: String(support) })]),
      members: expect.arrayContaining([botId, portal.chat(fifth).clientUserId]),
      time: expect.stringMatching(/\+03:00$/),
    });
    expect(portal.messages(fifth).at(-1)?.text).toBe(`Session ${portal.chat(fifth).sessionId}`);

    expect(bot.errors).toEqual([]);
    const requests = emulator?.requests ?? [];
    expect(requests.filter((entry) => entry.method === 'batch')).toHaveLength(1);
    expect(requests.every((entry) => entry.auth === 'webhook' && entry.status === 200)).toBe(true);
  });
});

describe('an SDK bot as an OAuth app over TLS', () => {
  it('refreshes its expired token at the server_endpoint the events carry, and carries on', async () => {
    const { portal, alice, sales, ca } = await setUp();
    // The SDK refreshes through a private axios instance that uses Node's global HTTPS agent.
    globalAgent.options.ca = ca;
    cleanups.push(() => {
      delete globalAgent.options.ca;
      globalAgent.destroy();
    });
    const app = portal.installApp();
    let client: B24OAuth | undefined;
    // As a bot keeps its tokens: made once, from the first event's `auth` block.
    const fromEvent = (form: URLSearchParams): SdkClient => {
      client ??= new B24OAuth(
        {
          applicationToken: form.get('auth[application_token]') ?? '',
          userId: Number(form.get('auth[user_id]')),
          memberId: form.get('auth[member_id]') ?? '',
          accessToken: form.get('auth[access_token]') ?? '',
          refreshToken: form.get('auth[refresh_token]') ?? '',
          expires: Number(form.get('auth[expires]')),
          expiresIn: Number(form.get('auth[expires_in]')),
          scope: form.get('auth[scope]') ?? '',
          domain: form.get('auth[domain]') ?? '',
          clientEndpoint: form.get('auth[client_endpoint]') ?? '',
          serverEndpoint: form.get('auth[server_endpoint]') ?? '',
          status: 'L',
        },
        { clientId: app.clientId, clientSecret: app.clientSecret },
      );
      return client;
    };
    bot = await startSdkBot({
      clientId: 'sdk-app-bot',
      operatorId: alice,
      salesQueueId: sales,
      client: fromEvent,
    });
    const { botId } = portal.registerBot({
      clientId: 'sdk-app-bot',
      eventHandlerUrl: bot.url,
      appClientId: app.clientId,
    });
    const chatId = await openChat(portal, 1, botId);
    expect(client).toBeDefined();
    await client?.initIsAdmin();
    expect(client?.auth.isAdmin).toBe(true);
    expect(await client?.tools.healthCheck.make()).toBe(true);

    const before = client?.auth.getAuthData();
    portal.expireAccessTokens();
    await portal.clientWrites(chatId, 'human please');
    expect(bot.errors).toEqual([]);
    expect(portal.chat(chatId)).toMatchObject({ waitingOperatorId: alice, botPresent: true });

    const log = (emulator?.requests ?? []).map((entry) =>
      `${entry.method} ${entry.status} ${entry.error ?? ''}`.trim(),
    );
    expect(log).toEqual([
      'profile 200',
      'server.time 200',
      'imopenlines.bot.session.message.send 401 expired_token',
      'oauth.token 200',
      'imopenlines.bot.session.message.send 200',
      'imopenlines.bot.session.transfer 200',
    ]);
    // The SDK holds the rotated pair now.
    const after = client?.auth.getAuthData();
    expect(before).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(after).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    if (before === false || after === false || before === undefined || after === undefined) return;
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
  });
});

describe("the SDK's batch helpers", () => {
  it('read the answers of batch and batchByChunk, lists, names and errors included', async () => {
    const { portal, support, ca } = await setUp();
    const hook = B24Hook.fromWebhookUrl(portal.createWebhook().baseUrl);
    const agent = new Agent({ ca, keepAlive: true });
    cleanups.push(() => agent.destroy());
    hook.getHttpClient(ApiVersion.v2).ajaxClient.defaults.httpsAgent = agent;
    const { botId } = portal.registerBot({ clientId: 'sdk-bot' });
    const chatId = await openChat(portal, support, botId);

    // A list of commands: the platform answers lists, the SDK reads them by position.
    const listed = await hook.actions.v2.batch.make<unknown>({
      calls: [
        ['imopenlines.dialog.get', { CHAT_ID: chatId }],
        ['server.time', {}],
      ],
    });
    expect(listed.isSuccess).toBe(true);
    expect(listed.getData()).toEqual([expect.objectContaining({ id: chatId }), expect.any(String)]);

    // 60 commands: two batch requests of at most 50.
    const chunked = await hook.actions.v2.batchByChunk.make<string>({
      calls: Array.from({ length: 60 }, () => ['server.time', {}] as [string, object]),
    });
    expect(chunked.isSuccess).toBe(true);
    expect(chunked.getData()).toHaveLength(60);

    // Without halting, a failing command is reported as the SDK's error, the others answered
    // (the deprecated `callBatch(calls, false)` runs this same call).
    const mixed = await hook.actions.v2.batch.make<unknown>({
      calls: {
        dialog: { method: 'imopenlines.dialog.get', params: { CHAT_ID: chatId } },
        missing: { method: 'no.such.method', params: {} },
        time: { method: 'server.time', params: {} },
      },
      options: { isHaltOnError: false },
    });
    expect(mixed.isSuccess).toBe(false);
    expect(mixed.getErrorMessages().join(' ')).toContain('Method not found');
    expect(mixed.getData()).toMatchObject({ dialog: { id: chatId }, time: expect.any(String) });

    const batches = (emulator?.requests ?? []).filter((entry) => entry.method === 'batch');
    expect(batches.map((entry) => entry.status)).toEqual([200, 200, 200, 200]);
  });
});
