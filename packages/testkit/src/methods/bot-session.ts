import { methodError } from '../http/platform-error.js';
import { endBotSession, finishSession, recordMessage } from '../model/session.js';
import { assertTransferUnlocked, transferChat } from '../model/transfer.js';
import type { ChatRecord, TransferTarget } from '../model/types.js';
import { callingBot, intval, type MethodHandler, type Params, text } from './context.js';
import { withEffects } from './with-effects.js';

// `imopenlines.bot.session.*`: what a bot does with its Open Lines session. As in the platform's
// `rest.php`, none of them checks that the bot is a member of the chat.

function requireChatId(params: Params): number {
  const chatId = intval(params.CHAT_ID);
  if (chatId <= 0) throw methodError('CHAT_ID_EMPTY', "Chat ID can't be empty");
  return chatId;
}

/**
 * The target, read as `rest.php` does: `TRANSFER_ID` first, overwriting the others (`"queue3"`
 * becomes `QUEUE_ID=3`, anything else `USER_ID`); then `USER_ID` wins over `QUEUE_ID`.
 */
export function transferTarget(sent: Params): TransferTarget {
  const params: Record<string, unknown> = { ...sent };
  if (params.TRANSFER_ID !== undefined) {
    const raw = text(params.TRANSFER_ID);
    if (raw.startsWith('queue')) params.QUEUE_ID = raw.slice(5);
    else params.USER_ID = raw;
  }
  if (params.USER_ID !== undefined) {
    const userId = intval(params.USER_ID);
    if (userId <= 0) throw methodError('USER_ID_EMPTY', "User ID can't be empty");
    return { userId };
  }
  if (params.QUEUE_ID !== undefined) {
    const queueId = intval(params.QUEUE_ID);
    if (queueId <= 0) throw methodError('QUEUE_ID_EMPTY', "QUEUE ID can't be empty");
    return { queueId };
  }
  throw methodError('TRANSFER_ID_EMPTY', "Queue ID or User ID can't be empty");
}

/**
 * `imopenlines.bot.session.transfer`: keys are read exactly as sent (UPPERCASE). Every refusal
 * of the platform's transfer is `OPERATOR_WRONG`. With `transferDurationMs` the transfer takes that
 * long and holds the chat's lock meanwhile, so a concurrent transfer of the same chat is refused.
 */
export const sessionTransfer: MethodHandler = async (context) => {
  const { params, runtime } = context;
  const chatId = requireChatId(params);
  const target = transferTarget(params);
  const bot = callingBot(context, params.CLIENT_ID);
  const chat: ChatRecord | undefined = context.portal.chats.get(chatId);
  if (chat !== undefined && runtime.transferDurationMs > 0) {
    assertTransferUnlocked(chat, context.nowMs);
    chat.transferInProgress = true;
    try {
      await runtime.sleep(runtime.transferDurationMs);
    } finally {
      chat.transferInProgress = false;
    }
  }
  const leave = text(params.LEAVE) === 'Y';
  withEffects(context, (effects) =>
    transferChat(context.portal, chat, bot.botId, target, leave, runtime.now(), effects),
  );
  return true;
};

/**
 * `imopenlines.bot.session.operator` (`Chat::endBotSession`): only while the session's operator is
 * a bot, else `WRONG_CHAT`. No bot lookup: any app may call it.
 */
export const sessionOperator: MethodHandler = (context) => {
  const chat = context.portal.chats.get(requireChatId(context.upper));
  const ended =
    chat !== undefined && withEffects(context, (effects) => endBotSession(context.portal, chat, effects));
  if (!ended) throw methodError('WRONG_CHAT', 'Operator is not a bot');
  return true;
};

/** `imopenlines.bot.session.finish`: the bot answers, then closes the session; always `true`. */
export const sessionFinish: MethodHandler = (context) => {
  const chatId = requireChatId(context.upper);
  const bot = callingBot(context, context.upper.CLIENT_ID);
  const chat = context.portal.chats.get(chatId);
  if (chat !== undefined)
    withEffects(context, (effects) => finishSession(context.portal, chat, effects, bot.botId));
  return true;
};

/**
 * `imopenlines.bot.session.message.send`: `true` without a membership check, an empty `MESSAGE`
 * included; a non-empty one is written as the bot, and nobody hears it.
 */
export const sessionMessageSend: MethodHandler = (context) => {
  const chat = context.portal.chats.get(requireChatId(context.upper));
  const message = text(context.upper.MESSAGE);
  if (chat !== undefined && message !== '')
    recordMessage(context.portal, chat, chat.botId, message, Date.now());
  return true;
};
