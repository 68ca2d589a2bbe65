import { z } from 'zod';
import { classifyAuthor, readChatEntityId } from './classify-author.js';
import { maxEntityDataLength, readSessionId } from './entity-data.js';
import { joinEventId, messageEventId } from './event-ids.js';
import {
  flagField,
  idField,
  optionalFlagField,
  optionalIdField,
  optionalPositiveIdField,
  positiveIdField,
  textField,
} from './fields.js';
import type { InboundEnvelope, NormalizedEvent } from './normalized.js';

/**
 * `data[BOT][<BOT_ID>][…]`: one entry per bot the event is for, keyed by the bot's id. Read
 * loosely: a framework's form parser may already have turned small ids into a (compacted) array.
 */
const botsSchema = z.unknown();

const chatParams = {
  CHAT_ID: optionalPositiveIdField,
  CHAT_ENTITY_TYPE: z.string().max(64).optional(),
  CHAT_ENTITY_ID: z.string().max(255).optional(),
  CHAT_ENTITY_DATA_1: z.string().max(maxEntityDataLength).optional(),
  CHAT_AUTHOR_ID: optionalIdField,
  BOT_ID: optionalPositiveIdField,
};

const messageDataSchema = z.object({
  BOT: botsSchema,
  PARAMS: z.object({
    ...chatParams,
    CHAT_ID: positiveIdField,
    MESSAGE_ID: positiveIdField,
    MESSAGE: textField(100_000).optional(),
    FROM_USER_ID: idField,
    SYSTEM: optionalFlagField,
  }),
  USER: z.object({ IS_BOT: flagField, IS_CONNECTOR: flagField, IS_EXTRANET: flagField }).optional(),
});

const joinDataSchema = z.object({ BOT: botsSchema, PARAMS: z.object(chatParams) });

/** Thrown-free result of reading one v1 event: the normalised event, or the zod error. */
export type V1Outcome = NormalizedEvent | z.ZodError;

/**
 * Reads a v1 (`ONIMBOT*`) event. `ONIMBOTMESSAGEADD` in a `LINES` chat becomes a `message` (the
 * platform's notices too, with `system: true`), `ONIMBOTJOINCHAT` in a `LINES` chat a
 * `bot.joined`; the rest is acknowledged and ignored (`ONIMBOTDELETE` means the bot was deleted
 * from the portal, not that it left a chat).
 */
export function normalizeV1(envelope: InboundEnvelope): V1Outcome {
  if (envelope.type === 'ONIMBOTMESSAGEADD') return readMessage(envelope);
  if (envelope.type === 'ONIMBOTJOINCHAT') return readJoin(envelope);
  return { kind: 'ignored', reason: `${envelope.type} is not a lifecycle event` };
}

function readMessage(envelope: InboundEnvelope): V1Outcome {
  const parsed = messageDataSchema.safeParse(envelope.data);
  if (!parsed.success) return parsed.error;
  const { PARAMS: params, USER: user, BOT: bots } = parsed.data;
  if (params.CHAT_ENTITY_TYPE !== 'LINES') return { kind: 'ignored', reason: 'not an Open Lines chat' };
  const entity = readChatEntityId(params.CHAT_ENTITY_ID);
  const kind = classifyAuthor({
    userId: params.FROM_USER_ID,
    isBot: user?.IS_BOT ?? false,
    isConnector: user?.IS_CONNECTOR ?? false,
    isExtranet: user?.IS_EXTRANET ?? false,
    clientUserId: entity.clientUserId,
  });
  const sessionId = readSessionId(params.CHAT_ENTITY_DATA_1);
  const botId = readBotId(params.BOT_ID, bots);
  return {
    kind: 'event',
    event: {
      type: 'message',
      id: messageEventId(envelope.portal, params.MESSAGE_ID),
      portal: envelope.portal,
      chatId: params.CHAT_ID,
      author: { userId: params.FROM_USER_ID, kind },
      messageId: String(params.MESSAGE_ID),
      ...(params.MESSAGE === undefined ? {} : { text: params.MESSAGE }),
      ...(entity.lineId === undefined ? {} : { lineId: entity.lineId }),
      ...(params.SYSTEM === undefined ? {} : { system: params.SYSTEM }),
      ...(params.CHAT_AUTHOR_ID === undefined ? {} : { ownerId: params.CHAT_AUTHOR_ID }),
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(botId === undefined ? {} : { botId }),
    },
  };
}

function readJoin(envelope: InboundEnvelope): V1Outcome {
  const parsed = joinDataSchema.safeParse(envelope.data);
  if (!parsed.success) return parsed.error;
  const { PARAMS: params, BOT: bots } = parsed.data;
  if (params.CHAT_ENTITY_TYPE !== 'LINES') return { kind: 'ignored', reason: 'not an Open Lines chat' };
  if (params.CHAT_ID === undefined) return missing(['PARAMS', 'CHAT_ID'], 'the chat id is missing', envelope);
  const sessionId = readSessionId(params.CHAT_ENTITY_DATA_1);
  const id = joinEventId(envelope.portal, params.CHAT_ID, {
    sessionId,
    deliveryId: envelope.eventId,
    ts: envelope.ts,
  });
  if (id === undefined)
    return missing(['ts'], 'a join without a session id or ts has no stable id', envelope);
  const { lineId } = readChatEntityId(params.CHAT_ENTITY_ID);
  const botId = readBotId(params.BOT_ID, bots);
  return {
    kind: 'event',
    event: {
      type: 'bot.joined',
      id,
      portal: envelope.portal,
      chatId: params.CHAT_ID,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(lineId === undefined ? {} : { lineId }),
      ...(botId === undefined ? {} : { botId }),
    },
  };
}

/**
 * The receiving bot: `PARAMS[BOT_ID]` when the event names it, else the one entry of
 * `data[BOT]` (its `BOT_ID`, or its key). Several entries (an event for several bots of one app)
 * name no single bot.
 */
function readBotId(paramsBotId: number | undefined, bots: unknown): number | undefined {
  if (paramsBotId !== undefined) return paramsBotId;
  if (typeof bots !== 'object' || bots === null) return undefined;
  const entries = Object.entries(bots);
  if (entries.length !== 1) return undefined;
  const [key, entry] = entries[0] ?? [];
  const named =
    typeof entry === 'object' && entry !== null ? (entry as { BOT_ID?: unknown }).BOT_ID : undefined;
  const parsed = positiveIdField.safeParse(named);
  if (parsed.success) return parsed.data;
  return Array.isArray(bots) ? undefined : positiveIdField.safeParse(key).data;
}

function missing(path: string[], message: string, envelope: InboundEnvelope): z.ZodError {
  return new z.ZodError([{ code: 'custom', path, message, input: envelope.data }]);
}
