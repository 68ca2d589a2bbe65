import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { callForm, callJson } from './helpers.js';

let emulator: Emulator;
afterEach(async () => {
  await emulator.close();
});

async function portalWithChat() {
  emulator = await createEmulator({ rateLimit: false });
  const portal = emulator.createPortal();
  const app = portal.installApp();
  const operator = portal.createOperator().userId;
  const lineId = portal.createLine({ queue: [operator] }).lineId;
  const bot = portal.registerBot();
  const chat = portal.createClientChat({ lineId, botId: bot.botId, announceJoin: false });
  return { portal, app, chatId: chat.chatId, bot };
}

describe('incoming webhooks', () => {
  it('accept the method with or without .json, as a form or JSON', async () => {
    const { portal, chatId } = await portalWithChat();
    const webhook = portal.createWebhook();
    expect(webhook.baseUrl).toBe(`${emulator.url}/rest/1/${webhook.secret}/`);
    const withJson = await callForm(`${webhook.baseUrl}imopenlines.dialog.get.json`, { CHAT_ID: chatId });
    const bare = await callJson(`${webhook.baseUrl}imopenlines.dialog.get`, { CHAT_ID: chatId });
    const query = await fetch(`${webhook.baseUrl}imopenlines.dialog.get?CHAT_ID=${chatId}`);
    expect(withJson.status).toBe(200);
    expect(bare.status).toBe(200);
    expect(query.status).toBe(200);
    expect(withJson.body.result).toEqual(bare.body.result);
  });

  it('refuse a wrong secret or a wrong user id', async () => {
    const { portal, chatId } = await portalWithChat();
    const webhook = portal.createWebhook();
    const wrongSecret = await callForm(`${emulator.url}/rest/1/nope/imopenlines.dialog.get`, {
      CHAT_ID: chatId,
    });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
    const wrongUser = await callForm(`${emulator.url}/rest/2/${webhook.secret}/imopenlines.dialog.get`, {
      CHAT_ID: chatId,
    });
    expect(wrongUser).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
  });

  it('answer 404 ERROR_METHOD_NOT_FOUND for an unknown method, and 400 for a broken JSON body', async () => {
    const { portal } = await portalWithChat();
    const webhook = portal.createWebhook();
    expect((await callForm(`${webhook.baseUrl}no.such.method`)).body.error).toBe('ERROR_METHOD_NOT_FOUND');
    const broken = await fetch(`${webhook.baseUrl}imopenlines.dialog.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: 'INVALID_REQUEST' });
    const badEscape = await fetch(`${emulator.url}/rest/1/%E0%A4%A/imopenlines.dialog.get`);
    expect(badEscape.status).toBe(400);
    expect(await badEscape.json()).toMatchObject({ error: 'INVALID_REQUEST' });
    expect(emulator.requests.at(-1)).toMatchObject({ status: 400, error: 'INVALID_REQUEST' });
  });
});

describe('OAuth', () => {
  it('calls with auth=<access token> in the query, a form, or JSON', async () => {
    const { app, chatId } = await portalWithChat();
    expect(app.clientEndpoint).toBe(`${emulator.url}/rest/`);
    const query = await fetch(
      `${app.clientEndpoint}imopenlines.dialog.get.json?auth=${app.accessToken}&CHAT_ID=${chatId}`,
    );
    expect(query.status).toBe(200);
    expect(
      (
        await callForm(`${app.clientEndpoint}imopenlines.dialog.get`, {
          auth: app.accessToken,
          CHAT_ID: chatId,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await callJson(`${app.clientEndpoint}imopenlines.dialog.get`, {
          auth: app.accessToken,
          CHAT_ID: chatId,
        })
      ).status,
    ).toBe(200);
  });

  it('answers 401 NO_AUTH_FOUND without auth and invalid_token for an unknown token', async () => {
    const { app, chatId } = await portalWithChat();
    expect(await callForm(`${app.clientEndpoint}imopenlines.dialog.get`, { CHAT_ID: chatId })).toMatchObject({
      status: 401,
      body: { error: 'NO_AUTH_FOUND' },
    });
    expect(
      await callForm(`${app.clientEndpoint}imopenlines.dialog.get`, { auth: 'forged', CHAT_ID: chatId }),
    ).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
  });

  it('expires tokens, refreshes them, rotates the refresh token and rejects a used one', async () => {
    const { portal, app, chatId } = await portalWithChat();
    portal.expireAccessTokens();
    const expired = await callForm(`${app.clientEndpoint}imopenlines.dialog.get`, {
      auth: app.accessToken,
      CHAT_ID: chatId,
    });
    expect(expired).toMatchObject({ status: 401, body: { error: 'expired_token' } });

    const refreshUrl = (refreshToken: string) =>
      `${emulator.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${refreshToken}`;
    const refreshed = await fetch(refreshUrl(app.refreshToken));
    expect(refreshed.status).toBe(200);
    const tokens = (await refreshed.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({
      member_id: portal.memberId,
      domain: portal.domain,
      client_endpoint: app.clientEndpoint,
      server_endpoint: `${emulator.url}/rest/`,
      expires_in: 3600,
    });
    expect(tokens.access_token).not.toBe(app.accessToken);
    expect(tokens.refresh_token).not.toBe(app.refreshToken);

    const fresh = await callForm(`${app.clientEndpoint}imopenlines.dialog.get`, {
      auth: tokens.access_token,
      CHAT_ID: chatId,
    });
    expect(fresh.status).toBe(200);

    const reused = await fetch(refreshUrl(app.refreshToken), { method: 'POST' });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });

    const byPost = await fetch(`${emulator.url}/oauth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${String(tokens.refresh_token)}`,
    });
    expect(byPost.status).toBe(200);
  });

  it('refuses a refresh with the wrong client secret without burning the token', async () => {
    const { app } = await portalWithChat();
    const wrong = await fetch(
      `${emulator.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=bad&refresh_token=${app.refreshToken}`,
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const right = await fetch(
      `${emulator.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${app.refreshToken}`,
    );
    expect(right.status).toBe(200);
  });

  it('lets access tokens expire after accessTokenTtlMs', async () => {
    emulator = await createEmulator({ rateLimit: false, accessTokenTtlMs: 30 });
    const portal = emulator.createPortal();
    const app = portal.installApp();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answer = await callForm(`${app.clientEndpoint}imopenlines.config.list.get`, {
      auth: app.accessToken,
    });
    expect(answer).toMatchObject({ status: 401, body: { error: 'expired_token' } });
  });

  it('keeps portals apart: one portal’s token cannot reach another portal’s chat', async () => {
    const { chatId } = await portalWithChat();
    const other = emulator.createPortal();
    const otherApp = other.installApp();
    const answer = await callForm(`${otherApp.clientEndpoint}imopenlines.dialog.get`, {
      auth: otherApp.accessToken,
      CHAT_ID: chatId,
    });
    expect(answer).toMatchObject({ status: 400, body: { error: 'ACCESS_ERROR' } });
  });

  it('lets faults hit the refresh endpoint as oauth.token, before or after the rotation', async () => {
    const { app } = await portalWithChat();
    const refresh = (refreshToken: string) =>
      fetch(
        `${emulator.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${refreshToken}`,
      );
    emulator.faults.add({ method: 'oauth.token', kind: 'status', status: 502, times: 1 });
    const failed = await refresh(app.refreshToken);
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ error: 'BAD_GATEWAY' });
    // Refused before the rotation: the refresh token still works.
    const rotated = await refresh(app.refreshToken);
    expect(rotated.status).toBe(200);
    const tokens = (await rotated.json()) as { refresh_token: string };

    emulator.faults.add({ method: 'oauth.token', kind: 'reset', when: 'after', times: 1 });
    await expect(refresh(tokens.refresh_token)).rejects.toThrow();
    // The rotation happened, the answer was lost: the client's refresh token is spent.
    const spent = await refresh(tokens.refresh_token);
    expect(spent.status).toBe(400);
    expect(await spent.json()).toMatchObject({ error: 'invalid_grant' });
    expect(emulator.requests.map((entry) => [entry.method, entry.status, entry.fault])).toEqual([
      ['oauth.token', 502, 'status'],
      ['oauth.token', 200, undefined],
      ['oauth.token', 0, 'reset'],
      ['oauth.token', 400, undefined],
    ]);
  });

  it('lets a latency fault slow the refresh endpoint down', async () => {
    const { app } = await portalWithChat();
    emulator.faults.add({ method: 'oauth.token', kind: 'latency', ms: 80, times: 1 });
    const started = performance.now();
    const answer = await fetch(
      `${emulator.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${app.refreshToken}`,
    );
    expect(answer.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'oauth.token', status: 200, fault: 'latency' });
  });
});
