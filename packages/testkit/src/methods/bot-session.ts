import { methodError } from '../http/platform-error.js';
import {
  assertTransferUnlocked,
  finishSession,
  handToLineQueue,
  isBotPresent,
  recordMessage,
  transferChat,
} from '../model/session.js';
import type { ChatRecord, TransferTarget } from '../model/types.js';
import { type CallContext, callingBot, intval, type MethodHandler, type Params, text } from './context.js';

// `imopenlines.bot.session.*`: what a bot does with its Open Lines session.

function chatOfBot(context: CallContext, chatId: number, botId: number): ChatRecord {
  const chat = context.portal.chats.get(chatId);
  if (chat === undefined || chat.botId !== botId) throw methodError('WRONG_CHAT', 'Wrong chat');
  return chat;
}

function requireChatId(params: Params): number {
  const chatId = intval(params.CHAT_ID);
  if (chatId <= 0) throw methodError('CHAT_ID_EMPTY', 'Chat ID can not be empty');
  return chatId;
}

/** USER_ID wins over QUEUE_ID, which wins over TRANSFER_ID (`"12"` or `"queue3"`). */
function transferTarget(params: Params): TransferTarget {
  if (params.USER_ID !== undefined) {
    const userId = intval(params.USER_ID);
    if (userId <= 0) throw methodError('USER_ID_EMPTY', 'User ID can not be empty');
    return { userId };
  }
  if (params.QUEUE_ID !== undefined) {
    const queueId = intval(params.QUEUE_ID);
    if (queueId <= 0) throw methodError('QUEUE_ID_EMPTY', 'Queue ID can not be empty');
    return { queueId };
  }
  if (params.TRANSFER_ID !== undefined) {
    const raw = text(params.TRANSFER_ID).trim().toLowerCase();
    const queueId = raw.startsWith('queue') ? intval(raw.slice(5)) : 0;
    if (queueId > 0) return { queueId };
    const userId = raw.startsWith('queue') ? 0 : intval(raw);
    if (userId <= 0) throw methodError('TRANSFER_ID_EMPTY', 'Transfer ID can not be empty');
    return { userId };
  }
  throw methodError('USER_ID_EMPTY', 'User ID can not be empty');
}

/**
 * `imopenlines.bot.session.transfer`: keys are read exactly as sent (UPPERCASE), as the platform
 * does. With `transferDurationMs` the transfer takes that long and holds the chat's lock meanwhile,
 * so a concurrent transfer of the same chat answers `OPERATOR_WRONG`.
 */
export const sessionTransfer: MethodHandler = async (context) => {
  const { params, runtime } = context;
  const chatId = requireChatId(params);
  const target = transferTarget(params);
  const bot = callingBot(context, params.CLIENT_ID);
  const chat = chatOfBot(context, chatId, bot.botId);
  if (runtime.transferDurationMs > 0) {
    assertTransferUnlocked(chat, context.nowMs);
    chat.transferInProgress = true;
    try {
      await runtime.sleep(runtime.transferDurationMs);
    } finally {
      chat.transferInProgress = false;
    }
  }
  // Anything but `Y` counts as `N`.
  transferChat(context.portal, chat, target, text(params.LEAVE) === 'Y', runtime.now());
  return true;
};

/** `imopenlines.bot.session.operator`: hand the chat to a free operator of its line. */
export const sessionOperator: MethodHandler = (context) => {
  const chatId = requireChatId(context.upper);
  const bot = callingBot(context, context.upper.CLIENT_ID);
  handToLineQueue(context.portal, chatOfBot(context, chatId, bot.botId));
  return true;
};

/** `imopenlines.bot.session.finish`. */
export const sessionFinish: MethodHandler = (context) => {
  const chatId = requireChatId(context.upper);
  const bot = callingBot(context, context.upper.CLIENT_ID);
  finishSession(chatOfBot(context, chatId, bot.botId));
  return true;
};

/** `imopenlines.bot.session.message.send`: `result: true` even when nothing was written, as on the platform. */
export const sessionMessageSend: MethodHandler = (context) => {
  const chatId = requireChatId(context.upper);
  const bot = callingBot(context, context.upper.CLIENT_ID);
  const chat = chatOfBot(context, chatId, bot.botId);
  const message = text(context.upper.MESSAGE);
  if (message === '') throw methodError('MESSAGE_EMPTY', 'Message can not be empty');
  if (isBotPresent(chat)) recordMessage(context.portal, chat, bot.botId, message, Date.now());
  return true;
};
