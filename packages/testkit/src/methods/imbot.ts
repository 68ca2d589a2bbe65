import { methodError, PlatformError } from '../http/platform-error.js';
import { isBotPresent, removeBot } from '../model/membership.js';
import { recordMessage } from '../model/session.js';
import type { BotRecord, ChatRecord } from '../model/types.js';
import {
  type CallContext,
  callingBot,
  chatIdFromDialog,
  intval,
  type MethodHandler,
  ownedBotV2,
  text,
} from './context.js';

// `imbot.*` (v1) and `imbot.v2.*`: the bot's own membership, messages and fetch-mode events.

function chatOfBot(
  context: CallContext,
  chatId: number,
  bot: BotRecord,
  notFound: () => PlatformError,
): ChatRecord {
  const chat = context.portal.chats.get(chatId);
  if (chat === undefined || chat.botId !== bot.botId) throw notFound();
  return chat;
}

/** `imbot.chat.leave`: `WRONG_REQUEST` when the bot is not a member. */
export const chatLeave: MethodHandler = (context) => {
  const { upper } = context;
  const chatId = chatIdFromDialog(upper.CHAT_ID ?? upper.DIALOG_ID);
  if (chatId <= 0) throw methodError('CHAT_ID_EMPTY', 'Chat ID can not be empty');
  const bot = callingBot(context, upper.CLIENT_ID, intval(upper.BOT_ID));
  const notMember = () => methodError('WRONG_REQUEST', 'Bot is not a member of the chat');
  const chat = chatOfBot(context, chatId, bot, notMember);
  if (!removeBot(chat)) throw notMember();
  return true;
};

/** `imbot.v2.Chat.leave`: `403 ACCESS_DENIED` when the bot is not a member. */
export const chatLeaveV2: MethodHandler = (context) => {
  const bot = ownedBotV2(context);
  const chatId = chatIdFromDialog(context.params.dialogId);
  if (chatId <= 0) throw methodError('DIALOG_ID_REQUIRED', 'dialogId is required');
  const denied = () => new PlatformError(403, 'ACCESS_DENIED', 'Access denied');
  const chat = chatOfBot(context, chatId, bot, denied);
  if (!removeBot(chat)) throw denied();
  return true;
};

/**
 * `imbot.chat.user.list`: the member ids, as the bot sees them. The platform reads the chat's
 * data for the bot (`CIMChat::GetChatData` with the bot's `USER_ID`), which holds no members for
 * a chat the bot is not in: a bot that is not a member gets `[]`, not an error. `ACCESS_ERROR`
 * (403) is only for the portal's general chat, which the emulator has not.
 */
export const chatUserList: MethodHandler = (context) => {
  const { upper } = context;
  const chatId = intval(upper.CHAT_ID);
  if (chatId <= 0) throw methodError('CHAT_ID_EMPTY', "Chat ID can't be empty");
  const bot = callingBot(context, upper.CLIENT_ID, intval(upper.BOT_ID));
  const chat = context.portal.chats.get(chatId);
  if (chat === undefined || !chat.members.includes(bot.botId)) return [];
  return [...chat.members];
};

function botWrites(context: CallContext, bot: BotRecord, chatId: number, message: string): number {
  const denied = () => methodError('ACCESS_ERROR', 'The bot is not a member of the chat');
  const chat = chatOfBot(context, chatId, bot, denied);
  if (!isBotPresent(chat)) throw denied();
  // Bots never receive events for messages written by bots, so nobody is notified.
  return recordMessage(context.portal, chat, bot.botId, message, Date.now()).id;
}

/** `imbot.message.add`: returns the message id. */
export const messageAdd: MethodHandler = (context) => {
  const { upper } = context;
  const chatId = chatIdFromDialog(upper.DIALOG_ID);
  if (chatId <= 0) throw methodError('DIALOG_ID_EMPTY', 'Dialog ID can not be empty');
  const message = text(upper.MESSAGE);
  if (message === '') throw methodError('MESSAGE_EMPTY', 'Message can not be empty');
  return botWrites(context, callingBot(context, upper.CLIENT_ID, intval(upper.BOT_ID)), chatId, message);
};

/** `imbot.v2.Chat.Message.send` with `fields.message`: returns `{ id }`. */
export const messageSendV2: MethodHandler = (context) => {
  const bot = ownedBotV2(context);
  const chatId = chatIdFromDialog(context.params.dialogId);
  if (chatId <= 0) throw methodError('DIALOG_ID_REQUIRED', 'dialogId is required');
  const fields = context.params.fields;
  const message =
    typeof fields === 'object' && fields !== null ? text((fields as Record<string, unknown>).message) : '';
  if (message === '') throw methodError('MESSAGE_EMPTY', 'fields.message is required');
  return { id: botWrites(context, bot, chatId, message) };
};

/**
 * `imbot.v2.Event.get`: passing `offset` acknowledges every smaller event id. A `duplicateEvents`
 * fault makes one call ignore its acknowledgement, so the same events come back.
 */
export const eventGetV2: MethodHandler = (context) => {
  const bot = ownedBotV2(context);
  const offset = context.params.offset === undefined ? 0 : intval(context.params.offset);
  const limit = context.params.limit === undefined ? 100 : intval(context.params.limit);
  if (limit < 1 || limit > 1000) throw methodError('INVALID_LIMIT', 'limit must be between 1 and 1000');
  const ignoreAck = context.runtime.faults.take(
    ['duplicateEvents'],
    'imbot.v2.Event.get',
    context.portal.memberId,
  );
  if (ignoreAck === undefined && offset > 0) {
    const kept = bot.fetchQueue.filter((event) => event.eventId >= offset);
    bot.fetchQueue.splice(0, bot.fetchQueue.length, ...kept);
  }
  const pending = bot.fetchQueue.filter((event) => ignoreAck !== undefined || event.eventId >= offset);
  const events = pending.slice(0, limit);
  const last = events.at(-1);
  return {
    events,
    nextOffset: last === undefined ? offset : last.eventId + 1,
    hasMore: pending.length > events.length,
  };
};
