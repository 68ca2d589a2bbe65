import type { BatonEventInput } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createEventHandler } from '../../../src/inbound/handler.js';
import { normalizeV2Data } from '../../../src/inbound/v2-events.js';
import {
  applicationToken,
  botId,
  chatId,
  clientId,
  entityData1,
  lineId,
  messageId,
  operatorId,
  portal,
  sessionId,
  ts,
  v1JoinChat,
  v1MessageAdd,
  v2JoinChat,
  v2MessageAdd,
} from './payloads.js';

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

async function handleOne(body: string) {
  const accepted: BatonEventInput[] = [];
  const handler = createEventHandler({
    applicationTokens: { [portal]: applicationToken },
    accept: async (event) => {
      accepted.push(event);
    },
  });
  const result = await handler.handle(body, formHeaders);
  expect(result).toMatchObject({ status: 200, outcome: 'accepted' });
  expect(accepted).toHaveLength(1);
  return accepted[0];
}

const clientUser = { isConnector: 'Y', isExtranet: 'Y' } as const;
const employee = { isConnector: 'N', isExtranet: 'N' } as const;
const messageBase = {
  type: 'message',
  id: `bitrix:${portal}:message:${messageId}`,
  portal,
  chatId,
  messageId: String(messageId),
  lineId,
  sessionId,
  botId,
};

describe('golden v1 events, as the platform posts them', () => {
  it("reads a client's message, with the owner, the session and the receiving bot", async () => {
    const body = v1MessageAdd({
      fromUserId: clientId,
      system: 'N',
      owner: 0,
      text: 'I need help with my order',
      user: clientUser,
    });
    expect(await handleOne(body)).toEqual({
      ...messageBase,
      author: { userId: clientId, kind: 'client' },
      text: 'I need help with my order',
      system: false,
      ownerId: 0,
    });
  });

  it('reads the answer notice: a system message from the operator, who now owns the dialog', async () => {
    const body = v1MessageAdd({
      fromUserId: operatorId,
      system: 'Y',
      owner: operatorId,
      text: 'John Smith has started working on the conversation',
      user: employee,
    });
    expect(await handleOne(body)).toEqual({
      ...messageBase,
      author: { userId: operatorId, kind: 'operator' },
      text: 'John Smith has started working on the conversation',
      system: true,
      ownerId: operatorId,
    });
  });

  it('reads the skip notice: a system message from the skipping operator, the owner still 0', async () => {
    const body = v1MessageAdd({
      fromUserId: operatorId,
      system: 'Y',
      owner: 0,
      text: 'John Smith has skipped the conversation',
      user: employee,
    });
    expect(await handleOne(body)).toMatchObject({
      author: { userId: operatorId, kind: 'operator' },
      system: true,
      ownerId: 0,
    });
  });

  it('reads a notice from user 0 (no data[USER] at all) as a system message', async () => {
    const body = v1MessageAdd({
      fromUserId: 0,
      system: 'Y',
      owner: operatorId,
      text: 'The conversation is closed',
    });
    expect(await handleOne(body)).toMatchObject({
      author: { userId: 0, kind: 'system' },
      system: true,
      ownerId: operatorId,
    });
  });

  it('reads the bot joining an Open Lines chat as bot.joined, keyed by the new session', async () => {
    expect(await handleOne(v1JoinChat({ entityData1 }))).toEqual({
      type: 'bot.joined',
      id: `bitrix:${portal}:joined:${chatId}:session:${sessionId}`,
      portal,
      chatId,
      sessionId,
      lineId,
      botId,
    });
  });

  it("keys a join without CHAT_ENTITY_DATA_1 (the docs' example has none) by the delivery's ts", async () => {
    expect(await handleOne(v1JoinChat())).toEqual({
      type: 'bot.joined',
      id: `bitrix:${portal}:joined:${chatId}:ts:${ts}`,
      portal,
      chatId,
      lineId,
      botId,
    });
  });

  it('accepts a message whose params nest deeper than any field Baton reads', async () => {
    const attach = { ATTACH: { 0: { BLOCKS: { 0: { GRID: { 0: { NAME: 'Order', VALUE: '#880412' } } } } } } };
    const deeper = {
      0: {
        1: {
          2: {
            3: {
              4: {
                5: {
                  6: {
                    7: {
                      8: {
                        9: {
                          10: {
                            11: { 12: { 13: { 14: { 15: { 16: { 17: { 18: { 19: { 20: 'x' } } } } } } } } },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    };
    const body = v1MessageAdd({
      fromUserId: clientId,
      system: 'N',
      owner: 0,
      text: 'see attached',
      user: clientUser,
      extraParams: { PARAMS: attach, KEYBOARD: deeper },
    });
    expect(await handleOne(body)).toMatchObject({ ...messageBase, text: 'see attached' });
  });

  it.each([100, 1_048_577, 999_999_999_999_999])(
    'parses data[BOT][%i] without turning the id into an array index',
    async (id) => {
      const body = v1MessageAdd({
        fromUserId: clientId,
        system: 'N',
        owner: 0,
        text: 'hi',
        user: clientUser,
      }).replaceAll(String(botId), String(id));
      expect(await handleOne(body)).toMatchObject({ botId: id });
    },
  );
});

describe('golden v2 events, as a webhook posts them (every scalar a string)', () => {
  it("reads a client's message with isSystem, owner, session and bot", async () => {
    const body = v2MessageAdd({
      authorId: clientId,
      isSystem: '0',
      owner: 0,
      text: 'I need help with my order',
      author: 'client',
    });
    expect(await handleOne(body)).toEqual({
      ...messageBase,
      author: { userId: clientId, kind: 'client' },
      text: 'I need help with my order',
      system: false,
      ownerId: 0,
    });
  });

  it('reads a system notice from the operator as a system message', async () => {
    const body = v2MessageAdd({
      authorId: operatorId,
      isSystem: '1',
      owner: operatorId,
      text: 'John Smith has started working on the conversation',
      author: 'employee',
    });
    expect(await handleOne(body)).toEqual({
      ...messageBase,
      author: { userId: operatorId, kind: 'operator' },
      text: 'John Smith has started working on the conversation',
      system: true,
      ownerId: operatorId,
    });
  });

  it('reads the bot joining an Open Lines chat as bot.joined', async () => {
    expect(await handleOne(v2JoinChat())).toEqual({
      type: 'bot.joined',
      id: `bitrix:${portal}:joined:${chatId}:session:${sessionId}`,
      portal,
      chatId,
      sessionId,
      lineId,
      botId,
    });
    expect(await handleOne(v2JoinChat({ entityData1: '' }))).toMatchObject({
      id: `bitrix:${portal}:joined:${chatId}:ts:${ts}`,
    });
  });

  it('keys a fetched join without a session by its event id, and ignores joins outside Open Lines', () => {
    const data = {
      bot: { id: botId },
      dialogId: `chat${chatId}`,
      chat: { id: chatId, entityType: 'LINES', owner: 0 },
    };
    expect(normalizeV2Data('ONIMBOTV2JOINCHAT', portal, data, { eventId: '7781234' })).toEqual({
      kind: 'event',
      event: {
        type: 'bot.joined',
        id: `bitrix:${portal}:joined:${chatId}:event:7781234`,
        portal,
        chatId,
        botId,
      },
    });
    const group = { ...data, chat: { ...data.chat, entityType: '' } };
    expect(normalizeV2Data('ONIMBOTV2JOINCHAT', portal, group, { eventId: '7781235' })).toMatchObject({
      kind: 'ignored',
    });
    expect(normalizeV2Data('ONIMBOTV2JOINCHAT', portal, data)).toHaveProperty('issues');
  });
});
