import { methodError } from '../http/platform-error.js';
import { type ChatRecord, chatEntityData1, chatEntityId, type PortalState } from '../model/types.js';
import type { LineWorktime } from '../portal-options.js';
import { chatIdFromDialog, intval, type MethodHandler } from './context.js';

/**
 * Who can see an Open Lines chat: the administrator (apps act as their installer), its members,
 * and the operators of its line's queue.
 */
function canSee(portal: PortalState, chat: ChatRecord, userId: number): boolean {
  if (portal.users.get(userId)?.kind === 'admin') return true;
  return chat.members.includes(userId) || (portal.lines.get(chat.lineId)?.queue.includes(userId) ?? false);
}

/**
 * `imopenlines.dialog.get` by `CHAT_ID`, `DIALOG_ID` or `SESSION_ID`; `owner` is 0 until answered.
 * A chat the caller cannot see (or that does not exist): 400 `ACCESS_ERROR`.
 */
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
  if (chat === undefined || !canSee(portal, chat, context.caller.userId)) {
    throw methodError('ACCESS_ERROR', 'You do not have access to the specified dialog');
  }
  return {
    id: chat.chatId,
    dialog_id: `chat${chat.chatId}`,
    name: `Open line chat ${chat.chatId}`,
    owner: chat.ownerId,
    type: 'lines',
    message_type: 'L',
    entity_type: 'LINES',
    entity_id: chatEntityId(chat),
    entity_data_1: chatEntityData1(chat),
    session_id: chat.state === 'finished' ? 0 : chat.sessionId,
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

/** `imopenlines.config.get` (`CONFIG_ID`): the line's settings the hand-over depends on. */
export const configGet: MethodHandler = (context) => {
  const line = context.portal.lines.get(intval(context.upper.CONFIG_ID));
  if (line === undefined) throw methodError('CONFIG_NOT_FOUND', 'Config not found');
  return {
    ID: String(line.lineId),
    LINE_NAME: line.name,
    ACTIVE: 'Y',
    QUEUE: line.queue.map(String),
    QUEUE_TIME: String(line.queueTimeMs === null ? 0 : Math.ceil(line.queueTimeMs / 1000)),
    WELCOME_BOT_LEFT: line.welcomeBotLeft,
    WELCOME_BOT_ENABLE: 'Y',
    WELCOME_BOT_TIME: '0',
    ...worktimeFields(line.worktime),
  };
};

/**
 * The `WORKTIME_*` fields as the platform's `Config::get` returns them: `WORKTIME_DAYOFF` and
 * `WORKTIME_HOLIDAYS` exploded from their comma-separated column into arrays (`['']` when empty),
 * the line's defaults (`9` to `18.30`) when working time is off.
 */
function worktimeFields(worktime: LineWorktime | null) {
  return {
    WORKTIME_ENABLE: worktime === null ? 'N' : 'Y',
    WORKTIME_FROM: worktime?.from ?? '9',
    WORKTIME_TO: worktime?.to ?? '18.30',
    WORKTIME_TIMEZONE: worktime?.timeZone ?? '',
    WORKTIME_HOLIDAYS: worktime?.holidays?.length ? [...worktime.holidays] : [''],
    WORKTIME_DAYOFF: worktime?.daysOff?.length ? [...worktime.daysOff] : [''],
    WORKTIME_DAYOFF_RULE: 'none',
  };
}
