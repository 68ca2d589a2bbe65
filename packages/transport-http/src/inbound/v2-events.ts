import { z } from 'zod';
import { classifyAuthor, readChatEntityId } from './classify-author.js';
import { chatIdFromDialogId, maxEntityDataLength, readSessionId } from './entity-data.js';
import { joinEventId, messageEventId } from './event-ids.js';
import {
  flagField,
  idField,
  optionalField,
  optionalFlagField,
  optionalIdField,
  optionalPositiveIdField,
  positiveIdField,
  textField,
} from './fields.js';
import type { NormalizedEvent } from './normalized.js';

// v2 data is camelCase. Fetch mode keeps real types; webhook mode sends every scalar as a
// string ("1"/"0" for booleans, "" for null), so every field accepts both.
const chatSchema = z.object({
  id: optionalPositiveIdField,
  dialogId: optionalField(z.string().max(64)),
  entityType: optionalField(z.string().max(64)),
  entityId: optionalField(z.string().max(255)),
  entityData1: optionalField(z.string().max(maxEntityDataLength)),
  owner: optionalIdField,
});

/** The receiving bot: `{id, code, auth}` in webhook mode, the whole bot object in fetch mode. */
const botSchema = z.object({ id: optionalPositiveIdField }).optional();

const messageDataSchema = z.object({
  bot: botSchema,
  message: z.object({
    id: positiveIdField,
    chatId: optionalPositiveIdField,
    authorId: idField,
    text: optionalField(textField(100_000)),
    isSystem: optionalFlagField,
  }),
  chat: chatSchema,
  user: z
    .object({
      bot: flagField,
      connector: flagField,
      extranet: flagField,
      type: optionalField(z.string().max(64)),
    })
    .optional(),
});

const joinDataSchema = z.object({
  bot: botSchema,
  dialogId: optionalField(z.string().max(64)),
  chat: chatSchema,
});

/** What identifies one delivery of an event, for events that have no id of their own. */
export interface V2Delivery {
  /** The fetch-mode `eventId`, or a webhook's delivery id. */
  readonly eventId?: string | undefined;
  /** A webhook's `ts`. */
  readonly ts?: string | undefined;
}

/**
 * Reads a v2 (`ONIMBOTV2*`) event, from a webhook or from fetch mode (no envelope around it):
 * `ONIMBOTV2MESSAGEADD` in a `LINES` chat becomes a `message`, `ONIMBOTV2JOINCHAT` in a `LINES`
 * chat a `bot.joined`; anything else is ignored. `delivery` gives a join its id when it carries
 * no session id.
 */
export function normalizeV2Data(
  type: string,
  portal: string,
  data: unknown,
  delivery: V2Delivery = {},
): NormalizedEvent | z.ZodError {
  const upper = type.toUpperCase();
  if (upper === 'ONIMBOTV2MESSAGEADD') return readMessage(portal, data);
  if (upper === 'ONIMBOTV2JOINCHAT') return readJoin(portal, data, delivery);
  return { kind: 'ignored', reason: `${type} is not a lifecycle event` };
}

function readMessage(portal: string, data: unknown): NormalizedEvent | z.ZodError {
  const parsed = messageDataSchema.safeParse(data);
  if (!parsed.success) return parsed.error;
  const { message, chat, user, bot } = parsed.data;
  if (chat.entityType !== 'LINES') return { kind: 'ignored', reason: 'not an Open Lines chat' };
  const chatId = message.chatId ?? chat.id;
  if (chatId === undefined) return missing(['message', 'chatId'], 'the chat id is missing', data);
  const entity = readChatEntityId(chat.entityId);
  const kind = classifyAuthor({
    userId: message.authorId,
    isBot: (user?.bot ?? false) || user?.type === 'bot',
    isConnector: (user?.connector ?? false) || user?.type === 'connector',
    isExtranet: (user?.extranet ?? false) || user?.type === 'extranet',
    clientUserId: entity.clientUserId,
  });
  const sessionId = readSessionId(chat.entityData1);
  return {
    kind: 'event',
    event: {
      type: 'message',
      // The message id, not the delivery id: a fetch-mode duplicate and a webhook redelivery of
      // the same message dedupe to one event.
      id: messageEventId(portal, message.id),
      portal,
      chatId,
      author: { userId: message.authorId, kind },
      messageId: String(message.id),
      ...(message.text === undefined ? {} : { text: message.text }),
      ...(entity.lineId === undefined ? {} : { lineId: entity.lineId }),
      ...(message.isSystem === undefined ? {} : { system: message.isSystem }),
      ...(chat.owner === undefined ? {} : { ownerId: chat.owner }),
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(bot?.id === undefined ? {} : { botId: bot.id }),
    },
  };
}

function readJoin(portal: string, data: unknown, delivery: V2Delivery): NormalizedEvent | z.ZodError {
  const parsed = joinDataSchema.safeParse(data);
  if (!parsed.success) return parsed.error;
  const { chat, bot, dialogId } = parsed.data;
  if (chat.entityType !== 'LINES') return { kind: 'ignored', reason: 'not an Open Lines chat' };
  const chatId = chat.id ?? chatIdFromDialogId(chat.dialogId ?? dialogId);
  if (chatId === undefined) return missing(['chat', 'id'], 'the chat id is missing', data);
  const sessionId = readSessionId(chat.entityData1);
  const id = joinEventId(portal, chatId, { sessionId, deliveryId: delivery.eventId, ts: delivery.ts });
  if (id === undefined) {
    return missing(
      ['chat', 'entityData1'],
      'a join without a session id, event id or ts has no stable id',
      data,
    );
  }
  const { lineId } = readChatEntityId(chat.entityId);
  return {
    kind: 'event',
    event: {
      type: 'bot.joined',
      id,
      portal,
      chatId,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(lineId === undefined ? {} : { lineId }),
      ...(bot?.id === undefined ? {} : { botId: bot.id }),
    },
  };
}

function missing(path: string[], message: string, data: unknown): z.ZodError {
  return new z.ZodError([{ code: 'custom', path, message, input: data }]);
}
