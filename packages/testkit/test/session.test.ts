import { afterEach, describe, expect, it } from 'vitest';
import { type Scenario, scenario } from './fixture.js';

let s: Scenario;
afterEach(async () => {
  await s.emulator.close();
});

const transfer = 'imopenlines.bot.session.transfer';

async function owner(method: () => Promise<{ body: { result?: unknown } }>): Promise<unknown> {
  const { body } = await method();
  return (body.result as { owner: number }).owner;
}

describe('imopenlines.dialog.get', () => {
  it('answers owner 0 after a transfer until the operator answers, then the operator id', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'N' });
    const read = () => s.asBot('imopenlines.dialog.get', { CHAT_ID: s.chatId });
    expect(await owner(read)).toBe(0);
    await s.asUser(s.alice, 'imopenlines.operator.answer', { CHAT_ID: s.chatId });
    expect(await owner(read)).toBe(s.alice);
  });

  it('finds the dialog by DIALOG_ID too, and describes a Lines chat', async () => {
    s = await scenario();
    const { status, body } = await s.asBot('imopenlines.dialog.get', { DIALOG_ID: `chat${s.chatId}` });
    expect(status).toBe(200);
    expect(body.result).toMatchObject({
      id: s.chatId,
      dialog_id: `chat${s.chatId}`,
      entity_type: 'LINES',
      owner: 0,
      session_id: s.portal.chat(s.chatId).sessionId,
      entity_data_1: s.portal.chat(s.chatId).entityData1,
    });
    expect((body.result as { entity_id: string }).entity_id).toMatch(
      new RegExp(`^livechat\\|${s.lineId}\\|\\d+\\|${s.clientUserId}$`),
    );
    expect(Object.keys(body.time ?? {}).sort()).toEqual([
      'date_finish',
      'date_start',
      'duration',
      'finish',
      'operating',
      'operating_reset_at',
      'processing',
      'start',
    ]);
    const time = body.time as Record<string, number | string>;
    expect(time.start).toEqual(expect.any(Number));
    expect(Number(time.finish)).toBeGreaterThanOrEqual(Number(time.start));
    expect(time.duration).toBeCloseTo(Number(time.finish) - Number(time.start), 5);
    // As the platform writes it: the portal's local time in whole seconds, `+03:00` by default.
    expect(time.date_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
    const startMs = Number(time.start) * 1000;
    expect(Date.parse(String(time.date_start))).toBeGreaterThan(startMs - 1000);
    expect(Date.parse(String(time.date_start))).toBeLessThanOrEqual(startMs + 1);
  });

  it('writes the dates of the time block at the configured utcOffset', async () => {
    s = await scenario({ utcOffset: '-05:30' });
    const { body } = await s.asBot('imopenlines.dialog.get', { CHAT_ID: s.chatId });
    const time = body.time as Record<string, number | string>;
    expect(time.date_finish).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:30$/);
    const finishMs = Number(time.finish) * 1000;
    expect(Date.parse(String(time.date_finish))).toBeGreaterThan(finishMs - 1000);
    expect(Date.parse(String(time.date_finish))).toBeLessThanOrEqual(finishMs + 1);
  });

  it('refuses a missing dialog, and answers 400 ACCESS_ERROR for one the caller cannot see', async () => {
    s = await scenario();
    expect((await s.asBot('imopenlines.dialog.get')).body.error).toBe('DIALOG_ID_EMPTY');
    const unknown = await s.asBot('imopenlines.dialog.get', { CHAT_ID: 9_876_543 });
    expect(unknown).toMatchObject({ status: 400, body: { error: 'ACCESS_ERROR' } });
    const outsider = s.portal.createOperator({ name: 'Dave' }).userId;
    const hidden = await s.asUser(outsider, 'imopenlines.dialog.get', { CHAT_ID: s.chatId });
    expect(hidden).toMatchObject({ status: 400, body: { error: 'ACCESS_ERROR' } });
    const queued = await s.asUser(s.alice, 'imopenlines.dialog.get', { CHAT_ID: s.chatId });
    expect(queued.body.result).toMatchObject({ id: s.chatId });
  });
});

describe('the operator side', () => {
  it("counts the waiting operator's first message as answering; the bot stays and hears it", async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.bob });
    await s.portal.operatorWrites(s.chatId, s.bob, 'Hello, Bob here');
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'answered', ownerId: s.bob, botPresent: true });
    expect(s.portal.messages(s.chatId).at(-1)).toMatchObject({ authorId: s.bob, text: 'Hello, Bob here' });
  });

  it('removes a bot that stayed on answer only when the line says so', async () => {
    s = await scenario({ rateLimit: false }, {}, { removeBotOnAnswer: true });
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'N' });
    expect(s.portal.chat(s.chatId).botPresent).toBe(true);
    await s.portal.operatorAnswers(s.chatId, s.alice);
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: false, ownerId: s.alice });
  });

  it('skip passes the chat to the next operator of the queue', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, QUEUE_ID: s.lineId });
    expect(s.portal.chat(s.chatId).waitingOperatorId).toBe(s.alice);
    const skipped = await s.asUser(s.alice, 'imopenlines.operator.skip', { CHAT_ID: s.chatId });
    expect(skipped.body.result).toBe(true);
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'waiting', waitingOperatorId: s.bob, ownerId: 0 });
    expect(s.portal.chat(s.chatId).members).not.toContain(s.alice);
  });

  it('lets a test skip and finish as the operator through the programmatic API', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, QUEUE_ID: s.lineId, LEAVE: 'N' });
    await s.portal.operatorSkips(s.chatId, s.alice);
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'waiting', waitingOperatorId: s.bob });
    await expect(s.portal.operatorSkips(s.chatId, s.alice)).rejects.toMatchObject({
      code: 'PLATFORM_REFUSED',
      context: { platformCode: 'ACCESS_DENIED' },
    });
    await s.portal.operatorAnswers(s.chatId, s.bob);
    await s.portal.operatorFinishes(s.chatId, s.bob);
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'finished', waitingOperatorId: null });
    expect(s.portal.chat(s.chatId).members).not.toContain(s.bob);
  });

  it('refuses an answer by someone who is not offered the chat', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    const answer = await s.asUser(s.carol, 'imopenlines.operator.answer', { CHAT_ID: s.chatId });
    expect(answer).toMatchObject({ status: 400, body: { error: 'ACCESS_DENIED' } });
    const skip = await s.asUser(s.carol, 'imopenlines.operator.skip', { CHAT_ID: s.chatId });
    expect(skip).toMatchObject({ status: 400, body: { error: 'ACCESS_DENIED' } });
    const finish = await s.asUser(s.carol, 'imopenlines.operator.finish', { CHAT_ID: s.chatId });
    expect(finish).toMatchObject({ status: 400, body: { error: 'ACCESS_DENIED' } });
    const noChat = await s.asUser(s.alice, 'imopenlines.operator.answer', {});
    expect(noChat).toMatchObject({ status: 400, body: { error: 'CHAT_ID' } });
    await expect(s.portal.operatorAnswers(s.chatId, s.carol)).rejects.toMatchObject({
      code: 'PLATFORM_REFUSED',
      context: { platformCode: 'ACCESS_DENIED' },
    });
  });

  it('finish closes the session; the next client message opens a new one held by the bot', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice, LEAVE: 'Y' });
    await s.portal.operatorAnswers(s.chatId, s.alice);
    const before = s.portal.chat(s.chatId).sessionId;
    const finished = await s.asUser(s.alice, 'imopenlines.operator.finish', { CHAT_ID: s.chatId });
    expect(finished.body.result).toBe(true);
    expect(s.portal.chat(s.chatId)).toMatchObject({
      state: 'finished',
      waitingOperatorId: null,
      botPresent: false,
      members: [s.clientUserId],
    });
    await s.portal.clientWrites(s.chatId, 'Me again');
    const reopened = s.portal.chat(s.chatId);
    expect(reopened).toMatchObject({
      state: 'bot',
      botPresent: true,
      ownerId: 0,
      sessionOperatorId: s.botId,
    });
    expect(reopened.sessionId).not.toBe(before);
  });

  it('lets an operator write through im.message.add', async () => {
    s = await scenario();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    const sent = await s.asUser(s.alice, 'im.message.add', { DIALOG_ID: `chat${s.chatId}`, MESSAGE: 'Hi' });
    expect(typeof sent.body.result).toBe('number');
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'answered', ownerId: s.alice });
  });
});

describe('the bot leaving without a call of its own', () => {
  it('a client typing 0 removes the bot and hands the chat to the queue', async () => {
    s = await scenario();
    await s.portal.clientWrites(s.chatId, '0');
    expect(s.portal.chat(s.chatId)).toMatchObject({
      botPresent: false,
      state: 'waiting',
      ownerId: 0,
      waitingOperatorId: s.alice,
    });
  });

  it('any other text keeps the bot', async () => {
    s = await scenario();
    await s.portal.clientWrites(s.chatId, '0 please');
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: true, state: 'bot' });
  });

  it('kickBot removes the bot', async () => {
    s = await scenario();
    s.portal.kickBot(s.chatId);
    expect(s.portal.chat(s.chatId).botPresent).toBe(false);
  });
});

describe('the other bot session methods', () => {
  it('session.operator hands a bot-held chat to its queue, and only then', async () => {
    s = await scenario();
    const handed = await s.asBot('imopenlines.bot.session.operator', { CHAT_ID: s.chatId });
    expect(handed.body.result).toBe(true);
    expect(s.portal.chat(s.chatId)).toMatchObject({
      state: 'waiting',
      waitingOperatorId: s.alice,
      ownerId: 0,
      botPresent: false,
    });
    const again = await s.asBot('imopenlines.bot.session.operator', { CHAT_ID: s.chatId });
    expect(again).toMatchObject({ status: 400, body: { error: 'WRONG_CHAT' } });
  });

  it('session.finish checks CHAT_ID and the bot', async () => {
    s = await scenario();
    expect((await s.asBot('imopenlines.bot.session.finish')).body.error).toBe('CHAT_ID_EMPTY');
    const noBot = await s.asUser(1, 'imopenlines.bot.session.finish', { CHAT_ID: s.chatId });
    expect(noBot.body.error).toBe('BOT_ID_ERROR');
    expect((await s.asBot('imopenlines.bot.session.finish', { chat_id: s.chatId })).body.result).toBe(true);
    expect(s.portal.chat(s.chatId).state).toBe('finished');
  });

  it('session.message.send answers true and writes as the bot', async () => {
    s = await scenario();
    const sent = await s.asBot('imopenlines.bot.session.message.send', {
      CHAT_ID: s.chatId,
      NAME: 'DEFAULT',
      MESSAGE: 'Connecting you to an operator',
    });
    expect(sent.body.result).toBe(true);
    expect(s.portal.messages(s.chatId).at(-1)).toMatchObject({
      authorId: s.botId,
      text: 'Connecting you to an operator',
    });
    // No membership check, and an empty MESSAGE is allowed: `result: true` proves nothing.
    s.portal.kickBot(s.chatId);
    const unseen = await s.asBot('imopenlines.bot.session.message.send', {
      CHAT_ID: s.chatId,
      NAME: 'DEFAULT',
    });
    expect(unseen).toMatchObject({ status: 200, body: { result: true } });
  });
});
