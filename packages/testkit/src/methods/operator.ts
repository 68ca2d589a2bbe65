import { methodError } from '../http/platform-error.js';
import { employeeMessage, requireChat } from '../model/activity.js';
import { answerChat, operatorFinishChat, skipChat } from '../model/session.js';
import { type CallContext, chatIdFromDialog, intval, type MethodHandler, text } from './context.js';

// The operator's side, called as the operator (a webhook of the operator's user), so that a test
// can play the human through real HTTP.

function chatFrom(context: CallContext) {
  const chatId = intval(context.upper.CHAT_ID);
  if (chatId <= 0) throw methodError('CHAT_ID_EMPTY', 'Chat ID can not be empty');
  return requireChat(context.portal, chatId);
}

/** `imopenlines.operator.answer` */
export const operatorAnswer: MethodHandler = (context) => {
  answerChat(context.portal, chatFrom(context), context.caller.userId);
  return true;
};

/** `imopenlines.operator.skip` */
export const operatorSkip: MethodHandler = (context) => {
  skipChat(context.portal, chatFrom(context), context.caller.userId);
  return true;
};

/** `imopenlines.operator.finish` */
export const operatorFinish: MethodHandler = (context) => {
  operatorFinishChat(context.portal, chatFrom(context), context.caller.userId);
  return true;
};

/** `im.message.add` as the calling user: an operator writing into the chat. Returns the message id. */
export const imMessageAdd: MethodHandler = async (context) => {
  const chatId = chatIdFromDialog(context.upper.DIALOG_ID ?? context.upper.CHAT_ID);
  if (chatId <= 0) throw methodError('DIALOG_ID_EMPTY', 'Dialog ID can not be empty');
  const message = text(context.upper.MESSAGE);
  if (message === '') throw methodError('MESSAGE_EMPTY', 'Message can not be empty');
  const chat = requireChat(context.portal, chatId);
  const record = await employeeMessage(context.runtime, context.portal, chat, context.caller.userId, message);
  return record.id;
};
