import type { BotRecord, ChatRecord, MessageRecord, UserRecord } from '../model/types.js';
import { chatEntityData1, chatEntityId } from '../model/types.js';

// v2 `ONIMBOTV2*` data with its real types, as fetch mode returns it. Webhook mode flattens it
// with `toPhpStrings` because the platform sends every scalar as a string.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

function userType(user: UserRecord, connectorType: string): string {
  if (user.kind === 'bot') return 'bot';
  if (user.kind === 'client') return connectorType;
  if (user.kind === 'extranet') return 'extranet';
  return 'employee';
}

/**
 * A v2 `user`. `connectorType` is the `type` of a connector (client) user: no public source
 * settles it (`EmulatorOptions.connectorUserType`).
 */
export function userV2(user: UserRecord, connectorType = 'connector'): JsonObject {
  return {
    id: user.id,
    active: true,
    name: user.name,
    firstName: user.name,
    lastName: '',
    workPosition: '',
    gender: 'M',
    extranet: user.kind === 'extranet',
    bot: user.kind === 'bot',
    connector: user.kind === 'client',
    type: userType(user, connectorType),
  };
}

export function chatV2(chat: ChatRecord): JsonObject {
  return {
    id: chat.chatId,
    dialogId: `chat${chat.chatId}`,
    type: 'lines',
    messageType: 'L',
    name: `Open line chat ${chat.chatId}`,
    entityType: 'LINES',
    entityId: chatEntityId(chat),
    entityData1: chatEntityData1(chat),
    owner: chat.ownerId,
    avatar: '',
    color: '',
  };
}

export function botV2(bot: BotRecord, auth: JsonObject | undefined): JsonObject {
  const base: JsonObject = { id: bot.botId, code: bot.code };
  if (auth !== undefined) return { ...base, auth };
  return { ...base, type: 'bot', eventMode: bot.eventHandlerUrl === undefined ? 'fetch' : 'webhook' };
}

export function messageV2(message: MessageRecord): JsonObject {
  return {
    id: message.id,
    chatId: message.chatId,
    authorId: message.authorId,
    date: new Date(message.at).toISOString(),
    text: message.text,
    isSystem: message.system,
    uuid: '',
    forward: null,
    params: {},
    viewedByOthers: false,
  };
}

/** The webhook form of v2 data: `true` → `"1"`, `false` → `"0"`, `null` → `""`, numbers as text. */
export function toPhpStrings(value: JsonValue): unknown {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toPhpStrings);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPhpStrings(item)]));
}
