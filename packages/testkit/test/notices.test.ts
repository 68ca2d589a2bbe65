import { afterEach, describe, expect, it } from 'vitest';
import { type Scenario, scenario } from './fixture.js';
import { type EventReceiver, get, startEventReceiver } from './helpers.js';

// Section 0.3 to 0.5: what a bot still in the chat hears, and how a session ends and restarts.

let s: Scenario | undefined;
let receiver: EventReceiver | undefined;
afterEach(async () => {
  await s?.emulator.close();
  await receiver?.close();
  s = undefined;
  receiver = undefined;
});

const transfer = 'imopenlines.bot.session.transfer';
const params = (event: { form: Record<string, unknown> } | undefined) =>
  get(event?.form, 'data', 'PARAMS') as Record<string, string>;
const messageEvents = (r: EventReceiver) =>
  r.events.filter((event) => event.form.event === 'ONIMBOTMESSAGEADD');

async function started(): Promise<{ s: Scenario; receiver: EventReceiver }> {
  receiver = await startEventReceiver();
  s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url });
  return { s, receiver };
}

describe('system notices to a bot still in the chat', () => {
  it('on answer: from the answering operator, the owner already the operator', async () => {
    const { s, receiver } = await started();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    await s.portal.operatorAnswers(s.chatId, s.alice);
    const notice = params(messageEvents(receiver).at(-1));
    expect(notice).toMatchObject({
      SYSTEM: 'Y',
      FROM_USER_ID: String(s.alice),
      CHAT_AUTHOR_ID: String(s.alice),
    });
    expect(s.portal.messages(s.chatId).at(-1)).toMatchObject({ authorId: s.alice, system: true });
  });

  it('on skip: from the skipping operator, the owner still 0', async () => {
    const { s, receiver } = await started();
    await s.asBot(transfer, { CHAT_ID: s.chatId, QUEUE_ID: s.lineId });
    const offered = s.portal.chat(s.chatId).waitingOperatorId ?? 0;
    await s.portal.operatorSkips(s.chatId, offered);
    const notice = params(messageEvents(receiver).at(-1));
    expect(notice).toMatchObject({ SYSTEM: 'Y', FROM_USER_ID: String(offered), CHAT_AUTHOR_ID: '0' });
    expect(s.portal.chat(s.chatId).waitingOperatorId).not.toBe(offered);
  });

  it('on close: from the session operator; then the bot is removed', async () => {
    const { s, receiver } = await started();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.bob });
    await s.portal.operatorAnswers(s.chatId, s.bob);
    await s.portal.operatorFinishes(s.chatId, s.bob);
    const notice = params(messageEvents(receiver).at(-1));
    expect(notice).toMatchObject({ SYSTEM: 'Y', FROM_USER_ID: String(s.bob) });
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'finished', botPresent: false, ownerId: 0 });
  });

  it('reaches the operator side through REST too, in the background', async () => {
    const { s, receiver } = await started();
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    expect((await s.asUser(s.alice, 'imopenlines.operator.answer', { CHAT_ID: s.chatId })).body.result).toBe(
      true,
    );
    await s.emulator.idle();
    expect(params(messageEvents(receiver).at(-1))).toMatchObject({
      SYSTEM: 'Y',
      FROM_USER_ID: String(s.alice),
    });
  });
});

describe('the owner and the session id in every message event', () => {
  it('carries CHAT_AUTHOR_ID and CHAT_ENTITY_DATA_1 with the session id at index 5', async () => {
    const { s, receiver } = await started();
    await s.portal.clientWrites(s.chatId, 'first');
    const first = params(messageEvents(receiver).at(-1));
    const sessionId = s.portal.chat(s.chatId).sessionId;
    expect(first.CHAT_AUTHOR_ID).toBe('0');
    const fields = first.CHAT_ENTITY_DATA_1?.split('|') ?? [];
    expect(fields).toHaveLength(10);
    expect(fields[5]).toBe(String(sessionId));
    expect(fields[7]).toBe(String(s.lineId));
    expect(first.CHAT_ENTITY_DATA_1).toBe(s.portal.chat(s.chatId).entityData1);
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    await s.portal.operatorAnswers(s.chatId, s.alice);
    await s.portal.clientWrites(s.chatId, 'after the answer');
    expect(params(messageEvents(receiver).at(-1))).toMatchObject({
      MESSAGE: 'after the answer',
      SYSTEM: 'N',
      CHAT_AUTHOR_ID: String(s.alice),
    });
  });

  it('a closed session restarts with a new id; the bot joins again and hears the client', async () => {
    const { s, receiver } = await started();
    const before = s.portal.chat(s.chatId).sessionId;
    await s.asBot('imopenlines.bot.session.finish', { CHAT_ID: s.chatId });
    await s.emulator.idle();
    expect(s.portal.chat(s.chatId)).toMatchObject({ state: 'finished', botPresent: false });
    const joinsBefore = receiver.events.filter((event) => event.form.event === 'ONIMBOTJOINCHAT').length;
    await s.portal.clientWrites(s.chatId, 'back again');
    const after = s.portal.chat(s.chatId);
    expect(after).toMatchObject({ state: 'bot', botPresent: true, sessionOperatorId: s.botId });
    expect(after.sessionId).not.toBe(before);
    const events = receiver.events.slice(-2);
    expect(events.map((event) => event.form.event)).toEqual(['ONIMBOTJOINCHAT', 'ONIMBOTMESSAGEADD']);
    expect(receiver.events.filter((event) => event.form.event === 'ONIMBOTJOINCHAT')).toHaveLength(
      joinsBefore + 1,
    );
    expect(params(events[0])).toMatchObject({ CHAT_ID: String(s.chatId), CHAT_ENTITY_TYPE: 'LINES' });
    expect(params(events[1]).CHAT_ENTITY_DATA_1?.split('|')[5]).toBe(String(after.sessionId));
  });

  it('v2 webhook events carry chat.owner, chat.entityData1 and message.isSystem, all as strings', async () => {
    receiver = await startEventReceiver();
    s = await scenario({ rateLimit: false }, { eventHandlerUrl: receiver.url, eventsVersion: 2 });
    await s.asBot(transfer, { CHAT_ID: s.chatId, USER_ID: s.alice });
    await s.portal.operatorAnswers(s.chatId, s.alice);
    const data = get(receiver.events.at(-1)?.form, 'data') as Record<string, Record<string, unknown>>;
    expect(receiver.events.at(-1)?.form.event).toBe('ONIMBOTV2MESSAGEADD');
    expect(data.chat).toMatchObject({
      owner: String(s.alice),
      entityData1: s.portal.chat(s.chatId).entityData1,
    });
    expect(data.message).toMatchObject({
      isSystem: '1',
      authorId: String(s.alice),
      chatId: String(s.chatId),
    });
  });
});
