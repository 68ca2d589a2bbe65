/**
 * Event payloads shaped after the examples in the official REST docs
 * (`api-reference/chat-bots/messages/events/on-imbot-message-add.md`,
 * `api-reference/chat-bots/chats/events/on-imbot-join-chat.md`,
 * `api-reference/chat-bots/chat-bots-v2/imbot.v2/events/events.md`), moved into an Open Lines
 * chat and given ids of the size real portals have. Encoded the way the platform posts them:
 * PHP's `http_build_query` (RFC 1738, nested keys in brackets, every scalar a string).
 */
import { stringify } from 'qs';

export const portal = 'bac1cd5c8940947a75e0d71b1a84e348';
export const applicationToken = '831c76b092f9f135d9b6b36c3a720757';
export const botId = 1_048_577;
export const chatId = 3_305_117;
export const clientId = 2_203_114;
export const operatorId = 1_730_462;
export const lineId = 14;
export const sessionId = 5_120_733;
export const messageId = 90_214_417;
export const ts = '1771928985';

/** `CHAT_ENTITY_ID`: `connector|LINE|CONNECTOR_CHAT|USER`. */
export const entityId = `telegrambot|${lineId}|786792821|${clientId}`;
/** `CHAT_ENTITY_DATA_1`: the session id is field 6. */
export const entityData1 = `Y|DEAL|880412|N|N|${sessionId}|1771928985|0|0|0`;

/** Encodes a payload the way the platform's PHP does. */
export const phpForm = (payload: Record<string, unknown>) => stringify(payload, { format: 'RFC1738' });

const oauth = (userId: string) => ({
  access_token: 'a98b9d690000071b0000084400000237f0f107589d1e',
  expires: '1771932585',
  expires_in: '3600',
  scope: 'imbot',
  domain: 'some-domain.bitrix24.com',
  server_endpoint: 'https://oauth.bitrix.info/rest/',
  status: 'F',
  client_endpoint: 'https://some-domain.bitrix24.com/rest/',
  member_id: portal,
  refresh_token: '990ac5690000071b0000084400000237',
  user_id: userId,
  client_id: 'a7eff906dd1d950269258a599214f69e',
  application_token: applicationToken,
});

const envelopeAuth = (userId: string) => {
  const { refresh_token: _, client_id: __, ...auth } = oauth(userId);
  return auth;
};

/** `data[BOT][<BOT_ID>]` as v1 events carry it. */
const v1Bots = () => ({
  [String(botId)]: {
    ...oauth(String(botId)),
    AUTH: oauth(String(botId)),
    BOT_ID: String(botId),
    BOT_CODE: 'baton_support',
  },
});

export interface V1MessageOptions {
  readonly fromUserId: number;
  readonly system: 'Y' | 'N';
  readonly owner: number;
  readonly text: string;
  /** `data[USER]`; the platform leaves it empty (absent from the form) for user `0`. */
  readonly user?: { readonly isConnector: 'Y' | 'N'; readonly isExtranet: 'Y' | 'N' };
  readonly extraParams?: Record<string, unknown>;
}

/** `ONIMBOTMESSAGEADD` in an Open Lines chat (the group-chat example, in a `LINES` chat). */
export function v1MessageAdd(options: V1MessageOptions): string {
  const from = String(options.fromUserId);
  return phpForm({
    event: 'ONIMBOTMESSAGEADD',
    event_handler_id: '403',
    data: {
      BOT: v1Bots(),
      PARAMS: {
        MESSAGE: options.text,
        TEMPLATE_ID: '6d0eef7c-12b4-41e7-b709-887ba410ded3',
        MESSAGE_TYPE: 'L',
        FROM_USER_ID: from,
        DIALOG_ID: `chat${chatId}`,
        TO_CHAT_ID: String(chatId),
        AUTHOR_ID: from,
        SYSTEM: options.system,
        CHAT_ID: String(chatId),
        CHAT_TITLE: 'Emily Smith - Support',
        CHAT_AUTHOR_ID: String(options.owner),
        CHAT_TYPE: 'L',
        CHAT_AVATAR: '0',
        CHAT_COLOR: 'BROWN',
        CHAT_ENTITY_TYPE: 'LINES',
        CHAT_ENTITY_ID: entityId,
        CHAT_ENTITY_DATA_1: entityData1,
        CHAT_ENTITY_DATA_2: 'LEAD|0|COMPANY|0|CONTACT|771203|DEAL|880412',
        CHAT_ENTITY_DATA_3: '',
        CHAT_EXTRANET: 'N',
        CHAT_PREV_MESSAGE_ID: String(messageId - 3),
        CHAT_CAN_POST: 'MEMBER',
        RID: from,
        IS_MANAGER: 'N',
        PUSH: 'Y',
        SKIP_COMMAND: 'N',
        SKIP_CONNECTOR: 'N',
        IMPORTANT_CONNECTOR: 'N',
        NO_SESSION_OL: 'N',
        FAKE_RELATION: '0',
        COMMAND_CONTEXT: 'TEXTAREA',
        CHAT_USER_COUNT: '3',
        PLATFORM_CONTEXT: 'web',
        MESSAGE_ORIGINAL: options.text,
        TO_USER_ID: '0',
        MESSAGE_ID: String(messageId),
        LANGUAGE: 'en',
        ...options.extraParams,
      },
      ...(options.user
        ? {
            USER: {
              ID: from,
              NAME: 'Emily Smith',
              FIRST_NAME: 'Emily',
              LAST_NAME: 'Smith',
              WORK_POSITION: '',
              GENDER: 'F',
              IS_BOT: 'N',
              IS_CONNECTOR: options.user.isConnector,
              IS_NETWORK: 'N',
              IS_EXTRANET: options.user.isExtranet,
            },
          }
        : {}),
    },
    ts,
    auth: envelopeAuth(from),
  });
}

/** `ONIMBOTJOINCHAT` in an Open Lines chat (the group-chat example, in a `LINES` chat). */
export function v1JoinChat(options: { readonly entityData1?: string } = {}): string {
  return phpForm({
    event: 'ONIMBOTJOINCHAT',
    event_handler_id: '459',
    data: {
      BOT: v1Bots(),
      PARAMS: {
        CHAT_TYPE: 'L',
        MESSAGE_TYPE: 'L',
        BOT_ID: String(botId),
        USER_ID: String(clientId),
        CHAT_ID: String(chatId),
        CHAT_AUTHOR_ID: '0',
        CHAT_ENTITY_TYPE: 'LINES',
        CHAT_ENTITY_ID: entityId,
        ...(options.entityData1 === undefined ? {} : { CHAT_ENTITY_DATA_1: options.entityData1 }),
        ACCESS_HISTORY: '1',
        DIALOG_ID: `chat${chatId}`,
        LANGUAGE: 'en',
      },
      USER: {
        ID: String(clientId),
        NAME: 'Emily Smith',
        FIRST_NAME: 'Emily',
        LAST_NAME: 'Smith',
        WORK_POSITION: '',
        GENDER: 'F',
      },
    },
    ts,
    auth: envelopeAuth(String(clientId)),
  });
}

const v2Bot = () => ({
  id: String(botId),
  code: 'baton_support',
  auth: { ...oauth(String(botId)) },
});

const v2Chat = (owner: number, data1: string | undefined = entityData1) => ({
  id: String(chatId),
  dialogId: `chat${chatId}`,
  type: 'lines',
  name: 'Emily Smith - Support',
  entityType: 'LINES',
  entityId,
  entityData1: data1 ?? '',
  entityData2: 'LEAD|0|COMPANY|0|CONTACT|771203|DEAL|880412',
  entityData3: '',
  owner: String(owner),
  avatar: '',
  color: '#ab7761',
});

const v2User = (id: number, kind: 'client' | 'employee') => ({
  id: String(id),
  active: '1',
  name: kind === 'client' ? 'Emily Smith' : 'John Smith',
  firstName: kind === 'client' ? 'Emily' : 'John',
  lastName: 'Smith',
  workPosition: '',
  color: '#df532d',
  avatar: '',
  gender: 'F',
  birthday: '',
  extranet: kind === 'client' ? '1' : '0',
  bot: '0',
  connector: kind === 'client' ? '1' : '0',
  externalAuthId: kind === 'client' ? 'imconnector' : 'default',
  status: 'online',
  idle: '0',
  lastActivityDate: '2026-02-24T10:29:00+02:00',
  absent: '0',
  departments: kind === 'client' ? '' : { 0: '1' },
  phones: '0',
  type: kind === 'client' ? 'extranet' : 'employee',
});

export interface V2MessageOptions {
  readonly authorId: number;
  readonly isSystem: '1' | '0';
  readonly owner: number;
  readonly text: string;
  readonly author: 'client' | 'employee';
}

/** `ONIMBOTV2MESSAGEADD` as a webhook posts it: every scalar a string. */
export function v2MessageAdd(options: V2MessageOptions): string {
  return phpForm({
    event: 'ONIMBOTV2MESSAGEADD',
    event_handler_id: '512',
    data: {
      bot: v2Bot(),
      message: {
        id: String(messageId),
        chatId: String(chatId),
        authorId: String(options.authorId),
        date: '2026-02-24T10:30:00+02:00',
        text: options.text,
        isSystem: options.isSystem,
        uuid: '',
        forward: '',
        viewedByOthers: '0',
      },
      chat: v2Chat(options.owner),
      user: v2User(options.authorId, options.author),
      language: 'en',
    },
    ts,
    auth: envelopeAuth(String(options.authorId)),
  });
}

/** `ONIMBOTV2JOINCHAT` as a webhook posts it. */
export function v2JoinChat(options: { readonly entityData1?: string } = {}): string {
  return phpForm({
    event: 'ONIMBOTV2JOINCHAT',
    event_handler_id: '513',
    data: {
      bot: v2Bot(),
      dialogId: `chat${chatId}`,
      chat: v2Chat(0, options.entityData1),
      user: v2User(clientId, 'client'),
      language: 'en',
    },
    ts,
    auth: envelopeAuth(String(clientId)),
  });
}
