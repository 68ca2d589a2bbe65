import { methodError } from '../http/platform-error.js';
import { employeeMessage, requireChat } from '../model/activity.js';
import { answerChat, operatorFinishChat, skipChat } from '../model/session.js';
import { type CallContext, chatIdFromDialog, intval, type MethodHandler, text } from './context.js';
import { withEffects } from './with-effects.js';

// The operator's side, called as the operator (a webhook of the operator's user), so that a test
// can play the human through real HTTP. Every refusal is HTTP 400, as on the platform.

function chatFrom(context: CallContext) {
  const chatId = intval(context.upper.CHAT_ID);
  if (chatId <= 0) throw methodError('CHAT_ID', 'Chat ID can not be empty');
  const chat = context.portal.chats.get(chatId);
  if (chat === undefined) throw methodError('CHAT_TYPE', 'Chat is not an Open Lines chat');
  return chat;
}

/** `imopenlines.operator.answer` */
export const operatorAnswer: MethodHandler = (context) => {
  const chat = chatFrom(context);
  withEffects(context, (effects) => answerChat(context.portal, chat, context.caller.userId, effects));
  return true;
};

/** `imopenlines.operator.skip` */
export const operatorSkip: MethodHandler = (context) => {
  const chat = chatFrom(context);
  withEffects(context, (effects) => skipChat(context.portal, chat, context.caller.userId, effects));
  return true;
};

/** `imopenlines.operator.finish` */
export const operatorFinish: MethodHandler = (context) => {
  const chat = chatFrom(context);
  withEffects(context, (effects) => operatorFinishChat(context.portal, chat, context.caller.userId, effects));
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
