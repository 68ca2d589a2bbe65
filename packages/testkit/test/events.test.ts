import { afterEach, describe, expect, it } from 'vitest';
import { type Scenario, scenario } from './fixture.js';
import { callJson, type EventReceiver, get, startEventReceiver } from './helpers.js';

let s: Scenario;
let receiver: EventReceiver;
afterEach(async () => {
  await s.emulator.close();
  await receiver.close();
});

const messages = (r: EventReceiver) =>
  r.events.filter((event) => String(event.form.event).includes('MESSAGEADD'));

describe('v1 events', () => {
  it('POSTs ONIMBOTJOINCHAT then ONIMBOTMESSAGEADD as a PHP-style form', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
    await s.portal.clientWrites(s.chatId, 'Hello there');
    expect(receiver.events.map((event) => event.form.event)).toEqual([
      'ONIMBOTJOINCHAT',
      'ONIMBOTMESSAGEADD',
    ]);
    const event = receiver.events[1];
    expect(event?.contentType).toBe('application/x-www-form-urlencoded');
    expect(event?.raw).toContain('data%5BPARAMS%5D%5BCHAT_ID%5D=');
    const form = event?.form;
    expect(get(form, 'auth')).toMatchObject({
      application_token: s.portal.applicationToken,
      member_id: s.portal.memberId,
      domain: s.portal.domain,
    });
    expect(get(form, 'data', 'PARAMS')).toMatchObject({
      CHAT_ID: String(s.chatId),
      DIALOG_ID: `chat${s.chatId}`,
      MESSAGE: 'Hello there',
      FROM_USER_ID: String(s.clientUserId),
      CHAT_ENTITY_TYPE: 'LINES',
    });
    expect(get(form, 'data', 'PARAMS', 'CHAT_ENTITY_ID')).toMatch(
      new RegExp(`^livechat\\|${s.lineId}\\|\\d{5,7}\\|${s.clientUserId}$`),
    );
    expect(get(form, 'data', 'PARAMS', 'MESSAGE_ID')).toMatch(/^\d+$/);
    expect(get(form, 'data', 'USER')).toMatchObject({ IS_BOT: 'N', IS_CONNECTOR: 'Y', IS_EXTRANET: 'N' });
    expect(get(form, 'data', 'BOT', String(s.botId))).toMatchObject({
      BOT_ID: String(s.botId),
      BOT_CODE: 'support_bot',
    });
    expect(form?.event_handler_id).toBeDefined();
    expect(form?.ts).toMatch(/^\d+$/);
  });

  it('delivers the events of a chat in order, the background join first', async () => {
    receiver = await startEventReceiver(() => new Promise((resolve) => setTimeout(resolve, 20)));
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
    const chat = s.portal.createClientChat({ lineId: s.lineId, botId: s.botId });
    await s.portal.clientWrites(chat.chatId, 'right away');
    const forChat = receiver.events.filter(
      (event) => get(event.form, 'data', 'PARAMS', 'CHAT_ID') === String(chat.chatId),
    );
    expect(forChat.map((event) => event.form.event)).toEqual(['ONIMBOTJOINCHAT', 'ONIMBOTMESSAGEADD']);
  });

  it("gives an app's bot fresh OAuth tokens to call back with", async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false });
    const app = s.portal.installApp();
    const bot = s.portal.registerBot({ eventHandlerUrl: receiver.url, appClientId: app.clientId });
    const chat = s.portal.createClientChat({ lineId: s.lineId, botId: bot.botId, announceJoin: false });
    await s.portal.clientWrites(chat.chatId, 'tokens?');
    const form = receiver.events.at(-1)?.form;
    const token = get(form, 'data', 'BOT', String(bot.botId), 'AUTH', 'access_token');
    expect(token).toEqual(expect.any(String));
    expect(get(form, 'auth', 'access_token')).toBe(token);
    expect(get(form, 'auth', 'refresh_token')).toEqual(expect.any(String));
    // Shaped as the platform's `https://oauth.bitrix.info/rest/`: a client strips `/rest/` and
    // refreshes at `/oauth/token/` of that origin.
    expect(get(form, 'auth', 'server_endpoint')).toBe(`${s.emulator.url}/rest/`);
    expect(get(form, 'auth', 'client_endpoint')).toBe(app.clientEndpoint);
    const refreshAt = `${String(get(form, 'auth', 'server_endpoint')).replace('/rest/', '')}/oauth/token/`;
    const refreshed = await fetch(refreshAt, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        refresh_token: String(get(form, 'auth', 'refresh_token')),
      }),
    });
    expect(refreshed.status).toBe(200);
    // The refresh retires the access token issued with the old refresh token: call back with the new one.
    const { access_token: fresh } = (await refreshed.json()) as { access_token: string };
    expect(fresh).not.toBe(token);
    const answer = await callJson(`${app.clientEndpoint}imbot.message.add`, {
      auth: fresh,
      DIALOG_ID: `chat${chat.chatId}`,
      MESSAGE: 'called back',
    });
    expect(answer.status).toBe(200);
  });

  it("marks an operator's message as from an employee", async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
    await s.asBot('imopenlines.bot.session.transfer', { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'N' });
    await s.portal.operatorWrites(s.chatId, s.alice, 'I am here');
    const event = messages(receiver).at(-1);
    expect(get(event?.form, 'data', 'PARAMS', 'FROM_USER_ID')).toBe(String(s.alice));
    expect(get(event?.form, 'data', 'USER')).toMatchObject({
      IS_BOT: 'N',
      IS_CONNECTOR: 'N',
      IS_EXTRANET: 'N',
    });
  });

  it('stops delivering once the bot left, and never delivers messages written by bots', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
    await s.asBot('imbot.message.add', { DIALOG_ID: `chat${s.chatId}`, MESSAGE: 'I am a bot' });
    expect(messages(receiver)).toHaveLength(0);
    await s.asBot('imopenlines.bot.session.transfer', { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'Y' });
    await s.portal.clientWrites(s.chatId, 'Anyone?');
    expect(messages(receiver)).toHaveLength(0);
  });

  it('delivers the client typing 0 first, then removes the bot', async () => {
    const presentWhileDelivered: boolean[] = [];
    receiver = await startEventReceiver((event) => {
      if (event.form.event === 'ONIMBOTMESSAGEADD')
        presentWhileDelivered.push(s.portal.chat(s.chatId).botPresent);
    });
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
    await s.portal.clientWrites(s.chatId, '0');
    expect(get(messages(receiver).at(-1)?.form, 'data', 'PARAMS', 'MESSAGE')).toBe('0');
    expect(presentWhileDelivered).toEqual([true]);
    expect(s.portal.chat(s.chatId).botPresent).toBe(false);
  });

  it('never retries a failed delivery', async () => {
    receiver = await startEventReceiver();
    receiver.status = 500;
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
    await s.portal.clientWrites(s.chatId, 'Lost?');
    expect(messages(receiver)).toHaveLength(1);
    const delivery = s.emulator.deliveries.filter((entry) => entry.event === 'ONIMBOTMESSAGEADD');
    expect(delivery).toEqual([expect.objectContaining({ status: 500, mode: 'webhook', duplicate: false })]);
  });

  it('gives up on a handler slower than eventTimeoutMs, records TIMEOUT, and never retries', async () => {
    receiver = await startEventReceiver(() => new Promise((resolve) => setTimeout(resolve, 200)));
    s = await scenario({ rateLimit: false, eventTimeoutMs: 50 }, { eventHandlerUrl: receiver.url });
    const started = performance.now();
    await s.portal.clientWrites(s.chatId, 'Slow?');
    expect(performance.now() - started).toBeLessThan(190);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(messages(receiver)).toHaveLength(1);
    const delivery = s.emulator.deliveries.filter((entry) => entry.event === 'ONIMBOTMESSAGEADD');
    expect(delivery).toEqual([expect.objectContaining({ error: 'TIMEOUT', mode: 'webhook' })]);
    expect(delivery[0]?.status).toBeUndefined();
  });

  it('records an unreachable handler as a failed delivery and goes on', async () => {
    receiver = await startEventReceiver();
    const url = receiver.url;
    await receiver.close();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: url });
    await s.portal.clientWrites(s.chatId, 'Hello?');
    const delivery = s.emulator.deliveries.find((entry) => entry.event === 'ONIMBOTMESSAGEADD');
    expect(delivery?.error).toBeDefined();
    expect(delivery?.status).toBeUndefined();
  });

  it('duplicates deliveries when a duplicateEvents fault says so', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
    s.emulator.faults.add({ kind: 'duplicateEvents', method: 'ONIMBOTMESSAGEADD', times: 1 });
    await s.portal.clientWrites(s.chatId, 'Twice');
    await s.portal.clientWrites(s.chatId, 'Once');
    const texts = messages(receiver).map((event) => get(event.form, 'data', 'PARAMS', 'MESSAGE'));
    expect(texts).toEqual(['Twice', 'Twice', 'Once']);
    expect(messages(receiver)[0]?.raw).toBe(messages(receiver)[1]?.raw);
  });

  it('sends ONIMBOTDELETE when the bot is deleted from the portal', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
    await s.portal.unregisterBot(s.botId);
    const event = receiver.events.at(-1);
    expect(event?.form.event).toBe('ONIMBOTDELETE');
    expect(get(event?.form, 'data', 'BOT_ID')).toBe(String(s.botId));
    expect(s.portal.chat(s.chatId).botPresent).toBe(false);
  });
});

describe('v2 events', () => {
  it('webhook mode sends ONIMBOTV2DELETE when the bot is deleted', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url, eventsVersion: 2 });
    await s.portal.unregisterBot(s.botId);
    const event = receiver.events.at(-1);
    expect(event?.form.event).toBe('ONIMBOTV2DELETE');
    expect(get(event?.form, 'data', 'bot', 'id')).toBe(String(s.botId));
    expect(get(event?.form, 'auth', 'application_token')).toBe(s.portal.applicationToken);
  });

  it('webhook mode sends camelCase fields with every scalar a string', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url, eventsVersion: 2 });
    await s.portal.clientWrites(s.chatId, 'Hi v2');
    expect(receiver.events.map((event) => event.form.event)).toEqual([
      'ONIMBOTV2JOINCHAT',
      'ONIMBOTV2MESSAGEADD',
    ]);
    const form = receiver.events[1]?.form;
    expect(get(form, 'auth', 'application_token')).toBe(s.portal.applicationToken);
    expect(get(form, 'data', 'message')).toMatchObject({
      chatId: String(s.chatId),
      text: 'Hi v2',
      isSystem: '0',
    });
    expect(get(form, 'data', 'message', 'forward')).toBe('');
    expect(get(form, 'data', 'chat')).toMatchObject({
      id: String(s.chatId),
      dialogId: `chat${s.chatId}`,
      entityType: 'LINES',
    });
    expect(get(form, 'data', 'user')).toMatchObject({
      id: String(s.clientUserId),
      connector: '1',
      bot: '0',
      extranet: '0',
    });
    expect(get(form, 'data', 'bot', 'id')).toBe(String(s.botId));
  });

  it('fetch mode queues events for imbot.v2.Event.get and acknowledges by offset', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventsVersion: 2 });
    await s.portal.clientWrites(s.chatId, 'one');
    await s.portal.clientWrites(s.chatId, 'two');
    const fetchEvents = (params: Record<string, unknown>) =>
      s.asBot('imbot.v2.Event.get', { botId: s.botId, botToken: s.botClientId, ...params });
    const first = (await fetchEvents({ limit: 2 })).body.result as {
      events: Array<{ eventId: number; type: string; data: { message?: { text: string; chatId: number } } }>;
      nextOffset: number;
      hasMore: boolean;
    };
    expect(first.events.map((event) => event.type)).toEqual(['ONIMBOTV2JOINCHAT', 'ONIMBOTV2MESSAGEADD']);
    expect(first.events[1]?.data.message).toMatchObject({ text: 'one', chatId: s.chatId });
    expect(first.hasMore).toBe(true);
    const second = (await fetchEvents({ offset: first.nextOffset })).body.result as typeof first;
    expect(second.events.map((event) => event.data.message?.text)).toEqual(['two']);
    expect(second.hasMore).toBe(false);
    const empty = (await fetchEvents({ offset: second.nextOffset })).body.result as typeof first;
    expect(empty.events).toEqual([]);
  });

  it('fetch mode redelivers when a duplicateEvents fault drops an acknowledgement', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventsVersion: 2 });
    await s.portal.clientWrites(s.chatId, 'again');
    const fetchEvents = async (offset?: number) => {
      const { body } = await s.asBot('imbot.v2.Event.get', {
        botId: s.botId,
        botToken: s.botClientId,
        ...(offset === undefined ? {} : { offset }),
      });
      return body.result as { events: Array<{ eventId: number }>; nextOffset: number };
    };
    const first = await fetchEvents();
    s.emulator.faults.add({ kind: 'duplicateEvents', method: 'imbot.v2.Event.get', times: 1 });
    const repeated = await fetchEvents(first.nextOffset);
    expect(repeated.events.map((event) => event.eventId)).toEqual(first.events.map((event) => event.eventId));
    expect((await fetchEvents(first.nextOffset)).events).toEqual([]);
  });

  it('fetch mode checks limit: 1..1000', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventsVersion: 2 });
    const fetchEvents = (limit: number) =>
      s.asBot('imbot.v2.Event.get', { botId: s.botId, botToken: s.botClientId, limit });
    expect(await fetchEvents(0)).toMatchObject({ status: 400, body: { error: 'INVALID_LIMIT' } });
    expect(await fetchEvents(1001)).toMatchObject({ status: 400, body: { error: 'INVALID_LIMIT' } });
    const one = (await fetchEvents(1)).body.result as { events: unknown[]; hasMore: boolean };
    expect(one).toMatchObject({ events: [expect.anything()], hasMore: false });
    expect((await fetchEvents(1000)).status).toBe(200);
  });

  it('checks botId and botToken', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventsVersion: 2 });
    expect((await s.asBot('imbot.v2.Event.get', {})).body.error).toBe('BOT_ID_REQUIRED');
    expect((await s.asBot('imbot.v2.Event.get', { botId: 999 })).body.error).toBe('BOT_NOT_FOUND');
    const url = s.portal.createWebhook().baseUrl;
    expect((await callJson(`${url}imbot.v2.Event.get`, { botId: s.botId })).body.error).toBe(
      'BOT_TOKEN_NOT_SPECIFIED',
    );
    expect((await callJson(`${url}imbot.v2.Event.get`, { botId: s.botId, botToken: 'x' })).body.error).toBe(
      'BOT_OWNERSHIP_ERROR',
    );
  });
});
