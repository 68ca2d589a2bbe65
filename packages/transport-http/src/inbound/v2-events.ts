import { z } from 'zod';
import { classifyAuthor, readChatEntityId } from './classify-author.js';
import {
  flagField,
  idField,
  optionalField,
  optionalPositiveIdField,
  positiveIdField,
  textField,
} from './fields.js';
import type { InboundEnvelope, NormalizedEvent } from './normalized.js';

// v2 data is camelCase. Fetch mode keeps real types; webhook mode sends every scalar as a
// string ("1"/"0" for booleans, "" for null), so every field accepts both.
const messageDataSchema = z.object({
  message: z.object({
    id: positiveIdField,
    chatId: optionalPositiveIdField,
    authorId: idField,
    text: optionalField(textField(100_000)),
  }),
  chat: z.object({
    id: optionalPositiveIdField,
    entityType: optionalField(z.string().max(64)),
    entityId: optionalField(z.string().max(255)),
  }),
  user: z
    .object({
      bot: flagField,
      connector: flagField,
      extranet: flagField,
      type: optionalField(z.string().max(64)),
    })
    .optional(),
});

/**
 * Reads a v2 (`ONIMBOTV2*`) event, from a webhook or from fetch mode. Only
 * `ONIMBOTV2MESSAGEADD` in a `LINES` chat becomes an engine event.
 */
export function normalizeV2(envelope: InboundEnvelope): NormalizedEvent | z.ZodError {
  return normalizeV2Data(envelope.type, envelope.portal, envelope.data);
}

/** The same, for an event as `imbot.v2.Event.get` returns it (no envelope around it). */
export function normalizeV2Data(type: string, portal: string, data: unknown): NormalizedEvent | z.ZodError {
  if (type.toUpperCase() !== 'ONIMBOTV2MESSAGEADD')
    return { kind: 'ignored', reason: `${type} is not a lifecycle event` };
  const parsed = messageDataSchema.safeParse(data);
  if (!parsed.success) return parsed.error;
  const { message, chat, user } = parsed.data;
  if (chat.entityType !== 'LINES') return { kind: 'ignored', reason: 'not an Open Lines chat' };
  const chatId = message.chatId ?? chat.id;
  if (chatId === undefined) {
    return new z.ZodError([
      { code: 'custom', path: ['message', 'chatId'], message: 'the chat id is missing', input: data },
    ]);
  }
  const entity = readChatEntityId(chat.entityId);
  const kind = classifyAuthor({
    userId: message.authorId,
    isBot: (user?.bot ?? false) || user?.type === 'bot',
    isConnector: (user?.connector ?? false) || user?.type === 'connector',
    isExtranet: (user?.extranet ?? false) || user?.type === 'extranet',
    clientUserId: entity.clientUserId,
  });
  return {
    kind: 'event',
    event: {
      type: 'message',
      // The message id, not the delivery id: a fetch-mode duplicate and a webhook redelivery of
      // the same message dedupe to one event.
      id: `bitrix:${portal}:message:${message.id}`,
      portal,
      chatId,
      author: { userId: message.authorId, kind },
      messageId: String(message.id),
      ...(message.text === undefined ? {} : { text: message.text }),
      ...(entity.lineId === undefined ? {} : { lineId: entity.lineId }),
    },
  };
}
