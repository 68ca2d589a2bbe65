import { z } from 'zod';
import { classifyAuthor, readChatEntityId } from './classify-author.js';
import { flagField, idField, positiveIdField, textField } from './fields.js';
import type { InboundEnvelope, NormalizedEvent } from './normalized.js';

const messageDataSchema = z.object({
  PARAMS: z.object({
    CHAT_ID: positiveIdField,
    MESSAGE_ID: positiveIdField,
    MESSAGE: textField(100_000).optional(),
    FROM_USER_ID: idField,
    CHAT_ENTITY_TYPE: z.string().max(64).optional(),
    CHAT_ENTITY_ID: z.string().max(255).optional(),
  }),
  USER: z.object({ IS_BOT: flagField, IS_CONNECTOR: flagField, IS_EXTRANET: flagField }).optional(),
});

/** Thrown-free result of reading one v1 event: the normalised event, or the zod error. */
export type V1Outcome = NormalizedEvent | z.ZodError;

/**
 * Reads a v1 (`ONIMBOT*`) event. Only `ONIMBOTMESSAGEADD` in a `LINES` chat becomes an engine
 * event (a `message`); the rest is acknowledged and ignored (`ONIMBOTDELETE` means the bot was
 * deleted from the portal, not that it left a chat).
 */
export function normalizeV1(envelope: InboundEnvelope): V1Outcome {
  if (envelope.type !== 'ONIMBOTMESSAGEADD')
    return { kind: 'ignored', reason: `${envelope.type} is not a lifecycle event` };
  const parsed = messageDataSchema.safeParse(envelope.data);
  if (!parsed.success) return parsed.error;
  const { PARAMS: params, USER: user } = parsed.data;
  if (params.CHAT_ENTITY_TYPE !== 'LINES') return { kind: 'ignored', reason: 'not an Open Lines chat' };
  const entity = readChatEntityId(params.CHAT_ENTITY_ID);
  const kind = classifyAuthor({
    userId: params.FROM_USER_ID,
    isBot: user?.IS_BOT ?? false,
    isConnector: user?.IS_CONNECTOR ?? false,
    isExtranet: user?.IS_EXTRANET ?? false,
    clientUserId: entity.clientUserId,
  });
  return {
    kind: 'event',
    event: {
      type: 'message',
      // A redelivery carries the same message id, so this id dedupes it.
      id: `bitrix:${envelope.portal}:message:${params.MESSAGE_ID}`,
      portal: envelope.portal,
      chatId: params.CHAT_ID,
      author: { userId: params.FROM_USER_ID, kind },
      messageId: String(params.MESSAGE_ID),
      ...(params.MESSAGE === undefined ? {} : { text: params.MESSAGE }),
      ...(entity.lineId === undefined ? {} : { lineId: entity.lineId }),
    },
  };
}
