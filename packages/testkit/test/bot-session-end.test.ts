import { afterEach, describe, expect, it } from 'vitest';
import { type Scenario, scenario } from './fixture.js';

// Section 0.6 to 0.8: who ends the bot session, the line's QUEUE_TIME, and the other codes.

let s: Scenario | undefined;
afterEach(async () => {
  await s?.emulator.close();
  s = undefined;
});

const transfer = 'imopenlines.bot.session.transfer';

describe("the client's 0", () => {
  it('is an ordinary message once the chat was transferred', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    await s.portal.clientWrites(s.chatId, '0');
    expect(s.portal.chat(s.chatId)).toMatchObject({
      botPresent: true,
      state: 'waiting',
      waitingOperatorId: s.alice,
      sessionOperatorId: s.alice,
    });
  });

  it('keeps the bot with WELCOME_BOT_LEFT=close, and the queue takes the session', async () => {
    s = await scenario({ rateLimit: false }, {}, { welcomeBotLeft: 'close' });
    await s.portal.clientWrites(s.chatId, '0');
    const chat = s.portal.chat(s.chatId);
    expect(chat).toMatchObject({ botPresent: true, state: 'waiting', ownerId: 0 });
    expect(chat.sessionOperatorId).not.toBe(s.botId);
    const config = await s.asBot('imopenlines.config.get', { CONFIG_ID: s.lineId });
    expect(config.body.result).toMatchObject({ WELCOME_BOT_LEFT: 'close', QUEUE_TIME: '0' });
  });
});

describe("the line's QUEUE_TIME", () => {
  it('offers the chat to the next operator when the offered one does not answer in time', async () => {
    s = await scenario({ rateLimit: false }, {}, { queueTimeMs: 100 });
    await s.asBot(transfer, { CHAT_ID: s.chatId, QUEUE_ID: s.lineId });
    const first = s.portal.chat(s.chatId).waitingOperatorId;
    const messages = s.portal.messages(s.chatId).length;
    // One QUEUE_TIME later (not two: with two operators the chat would come back to the first).
    await new Promise((resolve) => setTimeout(resolve, 150));
    const chat = s.portal.chat(s.chatId);
    expect(chat.waitingOperatorId).not.toBe(first);
    expect(chat.members).not.toContain(first);
    expect(chat).toMatchObject({ state: 'waiting', ownerId: 0, botPresent: true });
    // Nothing is said in the chat, so the bot hears nothing.
    expect(s.portal.messages(s.chatId)).toHaveLength(messages);
  });

  it('does nothing once the offered operator answered', async () => {
    s = await scenario({ rateLimit: false }, {}, { queueTimeMs: 40 });
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    await s.portal.operatorAnswers(s.chatId, s.alice);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'answered', ownerId: s.alice });
  });
});

describe('other codes of the bot session methods', () => {
  it('session.operator answers WRONG_CHAT once the current operator is not a bot', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    const answer = await s.asBot('imopenlines.bot.session.operator', { CHAT_ID: s.chatId });
    expect(answer).toMatchObject({ status: 400, body: { error: 'WRONG_CHAT' } });
  });

  it('session.finish answers true without a membership check', async () => {
    s = await scenario();
    s.portal.kickBot(s.chatId);
    const finished = await s.asBot('imopenlines.bot.session.finish', { CHAT_ID: s.chatId });
    expect(finished).toMatchObject({ status: 200, body: { result: true } });
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'finished', botPresent: false });
  });
});

describe('imbot.chat.user.list', () => {
  it('lists the member ids for a bot in the chat, and [] for a bot that is not', async () => {
    s = await scenario();
    const listed = await s.asBot('imbot.chat.user.list', { CHAT_ID: s.chatId });
    expect(listed.body.result).toEqual([s.clientUserId, s.botId]);
    s.portal.kickBot(s.chatId);
    expect((await s.asBot('imbot.chat.user.list', { CHAT_ID: s.chatId })).body.result).toEqual([]);
    expect((await s.asBot('imbot.chat.user.list', {})).body.error).toBe('CHAT_ID_EMPTY');
    expect((await s.asBot('imbot.chat.user.list', { CHAT_ID: s.chatId, CLIENT_ID: 'nope' })).body.error).toBe(
      'BOT_ID_ERROR',
    );
  });
});

describe('a v2 bot configured by token only', () => {
  it('names itself with its botToken as CLIENT_ID on the v1 Open Lines methods', async () => {
    s = await scenario();
    const bot = s.portal.registerBot({ eventsVersion: 2, botToken: 'b2f8c1d0e9a7' });
    const chat = s.portal.createClientChat({ lineId: s.lineId, botId: bot.botId, announceJoin: false });
    const webhook = s.portal.createWebhook();
    const response = await fetch(`${webhook.baseUrl}${transfer}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ CHAT_ID: chat.chatId, USER_ID: s.alice, CLIENT_ID: bot.botToken }),
    });
    expect(await response.json()).toMatchObject({ result: true });
    expect(s.portal.chat(chat.chatId)).toMatchObject({ waitingOperatorId: s.alice });
  });
});
