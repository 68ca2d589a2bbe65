import { afterEach, describe, expect, it } from 'vitest';
import { type Scenario, scenario } from './fixture.js';
import { callJson } from './helpers.js';

let s: Scenario;
afterEach(async () => {
  await s.emulator.close();
});

describe('imbot.chat.leave', () => {
  it('removes the bot, then answers WRONG_REQUEST because it is not a member any more', async () => {
    s = await scenario();
    await s.asBot('imopenlines.bot.session.transfer', { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'N' });
    await s.portal.operatorAnswers(s.chatId, s.alice);
    expect((await s.asBot('imbot.chat.leave', { CHAT_ID: s.chatId })).body.result).toBe(true);
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: false, ownerId: s.alice, state: 'answered' });
    expect(await s.asBot('imbot.chat.leave', { CHAT_ID: s.chatId })).toMatchObject({
      status: 400,
      body: { error: 'WRONG_REQUEST' },
    });
  });

  it('checks CHAT_ID and BOT_ID', async () => {
    s = await scenario();
    expect((await s.asBot('imbot.chat.leave')).body.error).toBe('CHAT_ID_EMPTY');
    expect((await s.asBot('imbot.chat.leave', { CHAT_ID: s.chatId, BOT_ID: 999 })).body.error).toBe(
      'BOT_ID_ERROR',
    );
    const otherBot = s.portal.registerBot({ clientId: 'someone-else' }).botId;
    expect(await s.asBot('imbot.chat.leave', { CHAT_ID: s.chatId, BOT_ID: otherBot })).toMatchObject({
      status: 400,
      body: { error: 'APP_ID_ERROR' },
    });
    expect(s.portal.chat(s.chatId).botPresent).toBe(true);
    expect((await s.asBot('imbot.chat.leave', { CHAT_ID: s.chatId, BOT_ID: s.botId })).body.result).toBe(
      true,
    );
  });
});

describe('imbot.v2.Chat.leave', () => {
  it('removes the bot, then answers 403 ACCESS_DENIED', async () => {
    s = await scenario();
    const url = `${s.portal.createWebhook().baseUrl}imbot.v2.Chat.leave`;
    const params = { botId: s.botId, botToken: s.botClientId, dialogId: `chat${s.chatId}` };
    expect((await callJson(url, params)).body.result).toBe(true);
    expect(s.portal.chat(s.chatId).botPresent).toBe(false);
    expect(await callJson(url, params)).toMatchObject({ status: 403, body: { error: 'ACCESS_DENIED' } });
  });

  it('answers BOT_NOT_FOUND and BOT_OWNERSHIP_ERROR', async () => {
    s = await scenario();
    const url = `${s.portal.createWebhook().baseUrl}imbot.v2.Chat.leave`;
    expect((await callJson(url, { botId: 999, dialogId: `chat${s.chatId}` })).body.error).toBe(
      'BOT_NOT_FOUND',
    );
    const app = s.portal.installApp();
    const response = await callJson(`${app.clientEndpoint}imbot.v2.Chat.leave`, {
      auth: app.accessToken,
      botId: s.botId,
      dialogId: `chat${s.chatId}`,
    });
    expect(response.body.error).toBe('BOT_OWNERSHIP_ERROR');
  });
});

describe('bot messages', () => {
  it('imbot.message.add writes as the bot and returns the message id', async () => {
    s = await scenario();
    const sent = await s.asBot('imbot.message.add', { DIALOG_ID: `chat${s.chatId}`, MESSAGE: 'One moment…' });
    expect(sent.body.result).toEqual(expect.any(Number));
    expect(s.portal.messages(s.chatId).at(-1)).toMatchObject({
      id: sent.body.result,
      authorId: s.botId,
      text: 'One moment…',
    });
    s.portal.kickBot(s.chatId);
    const gone = await s.asBot('imbot.message.add', { DIALOG_ID: `chat${s.chatId}`, MESSAGE: 'Still here?' });
    expect(gone).toMatchObject({ status: 400, body: { error: 'ACCESS_ERROR' } });
    expect(s.portal.messages(s.chatId).at(-1)?.text).toBe('One moment…');
  });

  it('imbot.v2.Chat.Message.send writes as the bot', async () => {
    s = await scenario();
    const url = `${s.portal.createWebhook().baseUrl}imbot.v2.Chat.Message.send`;
    const sent = await callJson(url, {
      botId: s.botId,
      botToken: s.botClientId,
      dialogId: `chat${s.chatId}`,
      fields: { message: 'Hello from v2' },
    });
    expect(sent.body.result).toEqual({ id: expect.any(Number) });
    expect(s.portal.messages(s.chatId).at(-1)?.text).toBe('Hello from v2');
  });
});
