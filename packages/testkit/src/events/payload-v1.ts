import type { BotRecord, ChatRecord, MessageRecord, PortalState, UserRecord } from '../model/types.js';
import { chatEntityData1, chatEntityId } from '../model/types.js';

// v1 `ONIMBOT*` payloads, nested as PHP would see them after `http_build_query`; every value is
// already a string, as the form encoding turns it into one anyway.

export type PhpForm = { readonly [key: string]: string | PhpForm };

const yn = (flag: boolean): string => (flag ? 'Y' : 'N');

/**
 * The `auth` block of an event. With `tokens` (the bot belongs to an OAuth app) it carries a fresh
 * access/refresh pair for calling back, as the platform's events do.
 */
export function portalAuth(
  portal: PortalState,
  clientEndpoint: string,
  tokens?: { accessToken: string; refreshToken: string; expiresAt: number; userId: number },
): PhpForm {
  const base = {
    domain: portal.domain,
    client_endpoint: clientEndpoint,
    // The platform sends `https://oauth.bitrix.info/rest/`; a client strips `/rest/` and posts to
    // `/oauth/token/` there, which the emulator serves on its own origin.
    server_endpoint: clientEndpoint,
    member_id: portal.memberId,
    application_token: portal.applicationToken,
  };
  if (tokens === undefined) return base;
  return {
    access_token: tokens.accessToken,
    expires: String(Math.floor(tokens.expiresAt / 1000)),
    expires_in: String(Math.max(0, Math.round((tokens.expiresAt - Date.now()) / 1000))),
    scope: 'imbot,imopenlines,im',
    ...base,
    status: 'L',
    user_id: String(tokens.userId),
    refresh_token: tokens.refreshToken,
  };
}

function userBlock(user: UserRecord): PhpForm {
  return {
    ID: String(user.id),
    NAME: user.name,
    FIRST_NAME: user.name,
    LAST_NAME: '',
    WORK_POSITION: '',
    GENDER: 'M',
    IS_BOT: yn(user.kind === 'bot'),
    IS_CONNECTOR: yn(user.kind === 'client'),
    IS_NETWORK: 'N',
    IS_EXTRANET: yn(user.kind === 'extranet'),
  };
}

function botBlock(bot: BotRecord, auth: PhpForm): PhpForm {
  return {
    [String(bot.botId)]: { ...auth, AUTH: auth, BOT_ID: String(bot.botId), BOT_CODE: bot.code },
  };
}

function chatParams(chat: ChatRecord): Record<string, string> {
  return {
    DIALOG_ID: `chat${chat.chatId}`,
    CHAT_ID: String(chat.chatId),
    TO_CHAT_ID: String(chat.chatId),
    CHAT_TYPE: 'L',
    MESSAGE_TYPE: 'L',
    CHAT_AUTHOR_ID: String(chat.ownerId),
    CHAT_ENTITY_TYPE: 'LINES',
    CHAT_ENTITY_ID: chatEntityId(chat),
    CHAT_ENTITY_DATA_1: chatEntityData1(chat),
    LANGUAGE: 'en',
  };
}

export function messageAddV1(
  bot: BotRecord,
  chat: ChatRecord,
  message: MessageRecord,
  author: UserRecord,
  auth: PhpForm,
): PhpForm {
  return {
    BOT: botBlock(bot, auth),
    PARAMS: {
      ...chatParams(chat),
      MESSAGE_ID: String(message.id),
      MESSAGE: message.text,
      FROM_USER_ID: String(author.id),
      SYSTEM: message.system ? 'Y' : 'N',
      COMMAND_CONTEXT: 'TEXTAREA',
    },
    USER: userBlock(author),
  };
}

export function joinChatV1(bot: BotRecord, chat: ChatRecord, inviter: UserRecord, auth: PhpForm): PhpForm {
  return {
    BOT: botBlock(bot, auth),
    PARAMS: { ...chatParams(chat), BOT_ID: String(bot.botId), USER_ID: String(inviter.id) },
    USER: userBlock(inviter),
  };
}

export function botDeleteV1(bot: BotRecord): PhpForm {
  return { BOT_ID: String(bot.botId), BOT_CODE: bot.code };
}
