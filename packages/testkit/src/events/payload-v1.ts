import type { BotRecord, ChatRecord, MessageRecord, PortalState, UserRecord } from '../model/types.js';
import { chatEntityId } from '../model/types.js';

// v1 `ONIMBOT*` payloads, nested as PHP would see them after `http_build_query`; every value is
// already a string, as the form encoding turns it into one anyway.

export type PhpForm = { readonly [key: string]: string | PhpForm };

const yn = (flag: boolean): string => (flag ? 'Y' : 'N');

export function portalAuth(portal: PortalState, clientEndpoint: string): PhpForm {
  return {
    domain: portal.domain,
    client_endpoint: clientEndpoint,
    server_endpoint: clientEndpoint,
    member_id: portal.memberId,
    application_token: portal.applicationToken,
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

function botBlock(portal: PortalState, bot: BotRecord, clientEndpoint: string): PhpForm {
  const auth = portalAuth(portal, clientEndpoint);
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
    CHAT_ENTITY_DATA_1: '',
    LANGUAGE: 'en',
  };
}

export function messageAddV1(
  portal: PortalState,
  bot: BotRecord,
  chat: ChatRecord,
  message: MessageRecord,
  author: UserRecord,
  clientEndpoint: string,
): PhpForm {
  return {
    BOT: botBlock(portal, bot, clientEndpoint),
    PARAMS: {
      ...chatParams(chat),
      MESSAGE_ID: String(message.id),
      MESSAGE: message.text,
      FROM_USER_ID: String(author.id),
      SYSTEM: 'N',
      COMMAND_CONTEXT: 'TEXTAREA',
    },
    USER: userBlock(author),
  };
}

export function joinChatV1(
  portal: PortalState,
  bot: BotRecord,
  chat: ChatRecord,
  inviter: UserRecord,
  clientEndpoint: string,
): PhpForm {
  return {
    BOT: botBlock(portal, bot, clientEndpoint),
    PARAMS: { ...chatParams(chat), BOT_ID: String(bot.botId), USER_ID: String(inviter.id) },
    USER: userBlock(inviter),
  };
}

export function botDeleteV1(bot: BotRecord): PhpForm {
  return { BOT_ID: String(bot.botId), BOT_CODE: bot.code };
}
