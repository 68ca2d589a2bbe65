import { methodError } from '../http/platform-error.js';
import { chatEntityId } from '../model/types.js';
import { chatIdFromDialog, intval, type MethodHandler } from './context.js';

/** `imopenlines.dialog.get` by `CHAT_ID`, `DIALOG_ID` or `SESSION_ID`; `owner` is 0 until answered. */
export const dialogGet: MethodHandler = (context) => {
  const { upper, portal } = context;
  let chatId = intval(upper.CHAT_ID);
  if (chatId <= 0 && upper.DIALOG_ID !== undefined) chatId = chatIdFromDialog(upper.DIALOG_ID);
  const sessionId = intval(upper.SESSION_ID);
  if (chatId <= 0 && sessionId > 0) {
    chatId = [...portal.chats.values()].find((chat) => chat.sessionId === sessionId)?.chatId ?? 0;
  }
  if (chatId <= 0 && upper.CHAT_ID === undefined && upper.DIALOG_ID === undefined && sessionId <= 0) {
    throw methodError('DIALOG_ID_EMPTY', 'Dialog ID can not be empty');
  }
  const chat = portal.chats.get(chatId);
  if (chat === undefined) throw methodError('NOT_FOUND', 'Dialog not found');
  return {
    id: chat.chatId,
    dialog_id: `chat${chat.chatId}`,
    name: `Open line chat ${chat.chatId}`,
    owner: chat.ownerId,
    type: 'lines',
    message_type: 'L',
    entity_type: 'LINES',
    entity_id: chatEntityId(chat),
    entity_data_1: `Y|NONE|0|N|N|${chat.sessionId}|0|0|0`,
    session_id: chat.sessionId,
    manager_list: [],
    extranet: false,
    avatar: '',
    color: '#ab7761',
  };
};

/** `imopenlines.config.list.get`: the portal's open lines (their ids are the queue ids). */
export const configListGet: MethodHandler = (context) =>
  [...context.portal.lines.values()].map((line) => ({
    ID: String(line.lineId),
    LINE_NAME: line.name,
    ACTIVE: 'Y',
    QUEUE: line.queue.map(String),
  }));
