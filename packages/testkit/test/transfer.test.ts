import { afterEach, describe, expect, it } from 'vitest';
import { type Scenario, scenario } from './fixture.js';

let s: Scenario;
afterEach(async () => {
  await s.emulator.close();
});

const transfer = 'imopenlines.bot.session.transfer';

describe('imopenlines.bot.session.transfer', () => {
  it('LEAVE=Y to a user removes the bot at once', async () => {
    s = await scenario();
    const answer = await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'Y' });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toBe(true);
    const chat = s.portal.chat(s.chatId);
    expect(chat.botPresent).toBe(false);
    expect(chat.members).not.toContain(s.botId);
    expect(chat).toMatchObject({ state: 'waiting', ownerId: 0, waitingOperatorId: s.alice });
    expect(chat.transfers).toEqual([{ to: { userId: s.alice }, leave: true }]);
  });

  it('LEAVE=N keeps the bot after the transfer and after the operator answers', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'N' });
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: true, state: 'waiting', ownerId: 0 });
    await s.portal.operatorAnswers(s.chatId, s.alice);
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: true, state: 'answered', ownerId: s.alice });
  });

  it('anything but Y counts as N, and LEAVE may be omitted', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'yes' });
    expect(s.portal.chat(s.chatId).botPresent).toBe(true);
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.bob });
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: true, waitingOperatorId: s.bob });
    // The first waiting operator left when the chat moved on.
    expect(s.portal.chat(s.chatId).members).not.toContain(s.alice);
  });

  it('a queue transfer keeps the bot whatever LEAVE says and offers the chat to that queue', async () => {
    s = await scenario();
    const answer = await s.asBot(transfer, { CHAT_ID: s.chatId, QUEUE_ID: s.otherLineId, LEAVE: 'Y' });
    expect(answer.body.result).toBe(true);
    expect(s.portal.chat(s.chatId)).toMatchObject({
      botPresent: true,
      lineId: s.otherLineId,
      state: 'waiting',
      ownerId: 0,
      waitingOperatorId: s.carol,
      transfers: [{ to: { queueId: s.otherLineId }, leave: true }],
    });
    // The bot stays after the queue's operator answers, too.
    await s.asUser(s.carol, 'imopenlines.operator.answer', { CHAT_ID: s.chatId });
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: true, state: 'answered', ownerId: s.carol });
  });

  it('reads TRANSFER_ID first and lets it overwrite, then takes USER_ID over QUEUE_ID', async () => {
    s = await scenario();
    await s.asBot(transfer, {
      CHAT_ID: s.chatId,
      USER_ID: s.bob,
      QUEUE_ID: s.otherLineId,
      TRANSFER_ID: `queue${s.otherLineId}`,
    });
    expect(s.portal.chat(s.chatId).transfers.at(-1)).toEqual({ to: { userId: s.bob }, leave: false });
    // TRANSFER_ID is read first and overwrites: a user id becomes USER_ID, which beats QUEUE_ID.
    await s.asBot(transfer, { CHAT_ID: s.chatId, QUEUE_ID: s.otherLineId, TRANSFER_ID: String(s.alice) });
    expect(s.portal.chat(s.chatId).transfers.at(-1)).toEqual({ to: { userId: s.alice }, leave: false });
    // "queue<id>" overwrites QUEUE_ID, but a USER_ID sent beside it still wins.
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.bob, TRANSFER_ID: `queue${s.otherLineId}` });
    expect(s.portal.chat(s.chatId).transfers.at(-1)).toEqual({ to: { userId: s.bob }, leave: false });
    await s.asBot(transfer, { CHAT_ID: s.chatId, QUEUE_ID: s.lineId, TRANSFER_ID: `queue${s.otherLineId}` });
    expect(s.portal.chat(s.chatId).transfers.at(-1)).toEqual({
      to: { queueId: s.otherLineId },
      leave: false,
    });
    await s.asBot(transfer, { CHAT_ID: s.chatId, TRANSFER_ID: String(s.alice) });
    expect(s.portal.chat(s.chatId).transfers.at(-1)).toEqual({ to: { userId: s.alice }, leave: false });
    await s.asBot(transfer, { CHAT_ID: s.chatId, TRANSFER_ID: `queue${s.lineId}` });
    expect(s.portal.chat(s.chatId).transfers.at(-1)).toEqual({ to: { queueId: s.lineId }, leave: false });
  });

  it.each([
    [{}, 'CHAT_ID_EMPTY'],
    [{ CHAT_ID: 0, USER_ID: 123_456 }, 'CHAT_ID_EMPTY'],
    [{ CHAT_ID: 'CHAT' }, 'CHAT_ID_EMPTY'],
    [{ CHAT_ID: 4_815_162 }, 'TRANSFER_ID_EMPTY'],
    [{ CHAT_ID: 4_815_162, USER_ID: '' }, 'USER_ID_EMPTY'],
    [{ CHAT_ID: 4_815_162, USER_ID: -5 }, 'USER_ID_EMPTY'],
    [{ CHAT_ID: 4_815_162, QUEUE_ID: '0' }, 'QUEUE_ID_EMPTY'],
    [{ CHAT_ID: 4_815_162, TRANSFER_ID: 'queue' }, 'QUEUE_ID_EMPTY'],
    [{ CHAT_ID: 4_815_162, TRANSFER_ID: 'someone' }, 'USER_ID_EMPTY'],
    [{ CHAT_ID: 4_815_162, TRANSFER_ID: 'queue0', USER_ID: 0 }, 'USER_ID_EMPTY'],
  ])('refuses %j with 400 %s and changes nothing', async (params, code) => {
    s = await scenario();
    const answer = await s.asBot(transfer, params);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe(code);
    expect(typeof answer.body.error_description).toBe('string');
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'bot', botPresent: true, transfers: [] });
  });

  it('does not normalise the case of keys', async () => {
    s = await scenario();
    const answer = await s.asBot(transfer, { chat_id: s.chatId, user_id: s.alice });
    expect(answer.body.error).toBe('CHAT_ID_EMPTY');
  });

  it('answers BOT_ID_ERROR when the caller has no bot', async () => {
    s = await scenario();
    const noClient = await s.asUser(1, transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    expect(noClient).toMatchObject({ status: 400, body: { error: 'BOT_ID_ERROR' } });
    const wrongClient = await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, CLIENT_ID: 'nope' });
    expect(wrongClient.body.error).toBe('BOT_ID_ERROR');
  });

  it('answers OPERATOR_WRONG (never WRONG_CHAT) for a bot, an extranet user, an unknown user or chat', async () => {
    s = await scenario();
    const otherBot = s.portal.registerBot().botId;
    const refusedWith = async (params: Record<string, unknown>) =>
      (await s.asBot(transfer, params)).body.error;
    expect(await refusedWith({ CHAT_ID: s.chatId, USER_ID: otherBot })).toBe('OPERATOR_WRONG');
    const guest = s.portal.createExtranetUser({ name: 'Guest' }).userId;
    expect(await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: guest, LEAVE: 'Y' })).toMatchObject({
      status: 400,
      body: { error: 'OPERATOR_WRONG' },
    });
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'bot', botPresent: true, transfers: [] });
    expect(() => s.portal.createLine({ queue: [guest] })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(await refusedWith({ CHAT_ID: s.chatId, USER_ID: 8_765_431 })).toBe('OPERATOR_WRONG');
    expect(await refusedWith({ CHAT_ID: 8_765_432, USER_ID: s.alice })).toBe('OPERATOR_WRONG');
  });

  it('does not check membership: a repeated LEAVE=Y transfer by a bot that already left succeeds again', async () => {
    s = await scenario();
    const first = await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'Y' });
    expect(first.body.result).toBe(true);
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: false, waitingOperatorId: s.alice });
    const again = await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'Y' });
    expect(again).toMatchObject({ status: 200, body: { result: true } });
    expect(s.portal.chat(s.chatId)).toMatchObject({
      botPresent: false,
      waitingOperatorId: s.alice,
      ownerId: 0,
    });
    expect(s.portal.chat(s.chatId).transfers).toHaveLength(2);
  });

  it('removes an operator who had answered when the bot transfers to someone else', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    await s.portal.operatorAnswers(s.chatId, s.alice);
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'answered', ownerId: s.alice });
    const answer = await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.bob });
    expect(answer.body.result).toBe(true);
    const chat = s.portal.chat(s.chatId);
    expect(chat).toMatchObject({ state: 'waiting', ownerId: 0, waitingOperatorId: s.bob, botPresent: true });
    expect(chat.members).not.toContain(s.alice);
    expect(chat.sessionOperatorId).toBe(s.bob);
  });

  it('answers OPERATOR_WRONG for a connector user, an unknown queue, or a finished session', async () => {
    s = await scenario();
    const toClient = await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.clientUserId });
    expect(toClient).toMatchObject({ status: 400, body: { error: 'OPERATOR_WRONG' } });
    expect((await s.asBot(transfer, { CHAT_ID: s.chatId, QUEUE_ID: 77 })).body.error).toBe('OPERATOR_WRONG');
    await s.asBot('imopenlines.bot.session.finish', { CHAT_ID: s.chatId });
    expect((await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice })).body.error).toBe(
      'OPERATOR_WRONG',
    );
  });

  it('answers OPERATOR_WRONG while the per-chat lock is held, and succeeds once it is released', async () => {
    s = await scenario();
    s.portal.holdTransferLock(s.chatId, 150);
    const locked = await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    expect(locked).toMatchObject({ status: 400, body: { error: 'OPERATOR_WRONG' } });
    expect(s.portal.chat(s.chatId).state).toBe('bot');
    await new Promise((resolve) => setTimeout(resolve, 170));
    const retried = await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    expect(retried.body.result).toBe(true);
  });

  it('with transferDurationMs, a concurrent transfer of the same chat answers OPERATOR_WRONG', async () => {
    s = await scenario({ rateLimit: false, transferDurationMs: 100 });
    const other = s.portal.createClientChat({ lineId: s.lineId, botId: s.botId, announceJoin: false }).chatId;
    const first = s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'N' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Still running: nothing has changed yet, and the chat's lock is held.
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'bot', botPresent: true });
    const [second, elsewhere] = await Promise.all([
      s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.bob }),
      s.asBot(transfer, { CHAT_ID: other, USER_ID: s.bob }),
    ]);
    expect(second).toMatchObject({ status: 400, body: { error: 'OPERATOR_WRONG' } });
    expect(elsewhere.body.result).toBe(true);
    expect((await first).body.result).toBe(true);
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: true, waitingOperatorId: s.alice });
    expect(s.portal.chat(s.chatId).transfers).toHaveLength(1);
    // Once the first transfer is done, the lock is free again.
    expect((await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.bob })).body.result).toBe(true);
    expect(s.portal.chat(s.chatId)).toMatchObject({ waitingOperatorId: s.bob });
  });

  it('refuses browser-session auth with 403 WRONG_AUTH_TYPE', async () => {
    s = await scenario();
    const response = await fetch(`${s.emulator.url}/rest/${transfer}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'PHPSESSID=abc' },
      body: `CHAT_ID=${s.chatId}&USER_ID=${s.alice}`,
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'WRONG_AUTH_TYPE' });
    expect(s.portal.chat(s.chatId).state).toBe('bot');
    const bySessid = await fetch(`${s.emulator.url}/rest/${transfer}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `sessid=abc&CHAT_ID=${s.chatId}&USER_ID=${s.alice}&LEAVE=Y`,
    });
    expect(bySessid.status).toBe(403);
    expect(await bySessid.json()).toMatchObject({ error: 'WRONG_AUTH_TYPE' });
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'bot', botPresent: true });
    expect(s.emulator.requests.slice(-2).map((entry) => entry.auth)).toEqual(['session', 'session']);
  });

  it('acts for the first bot of the calling OAuth app, without CLIENT_ID', async () => {
    s = await scenario();
    const emulator = s.emulator;
    const portal = emulator.createPortal();
    const app = portal.installApp();
    const operator = portal.createOperator().userId;
    const line = portal.createLine({ queue: [operator] }).lineId;
    const bot = portal.registerBot().botId;
    const chat = portal.createClientChat({ lineId: line, botId: bot, announceJoin: false }).chatId;
    const response = await fetch(`${app.clientEndpoint}${transfer}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: app.accessToken, CHAT_ID: chat, USER_ID: operator, LEAVE: 'Y' }),
    });
    expect(response.status).toBe(200);
    expect(portal.chat(chat)).toMatchObject({ botPresent: false, waitingOperatorId: operator });
  });
});
