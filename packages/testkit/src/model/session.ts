import { PlatformError } from '../http/platform-error.js';
import type { SessionEffects } from './effects.js';
import {
  addMember,
  dropMember,
  dropMembersExcept,
  isRealOperator,
  offerFromQueue,
  removeBot,
  sessionOperatorId,
} from './membership.js';
import type { ChatRecord, MessageRecord, PortalState } from './types.js';

// The Open Lines session rules (`Chat::answer`, `skip`, `finish`, `endBotSession`), shared by the
// REST methods and the programmatic API so that both sides of a test see one behaviour. Every
// refusal is a PlatformError with the platform's code.

/** `imopenlines.operator.*` refusals: HTTP 400, as the platform answers them. */
function accessDenied(description: string): PlatformError {
  return new PlatformError(400, 'ACCESS_DENIED', description);
}

/**
 * Offers the chat to `operatorId` (or nobody): owner 0 until someone answers. With the line's
 * `QUEUE_TIME`, an offer nobody answers in time moves on to the next operator of the queue,
 * without any notice to the bot.
 */
export function awaitOperator(
  portal: PortalState,
  chat: ChatRecord,
  operatorId: number | null,
  effects: SessionEffects,
): void {
  if (chat.waitingOperatorId !== null && chat.waitingOperatorId !== operatorId) {
    dropMember(chat, chat.waitingOperatorId);
  }
  if (chat.state === 'answered' && chat.ownerId !== 0 && chat.ownerId !== operatorId) {
    dropMember(chat, chat.ownerId);
  }
  chat.waitingOperatorId = operatorId;
  chat.ownerId = 0;
  chat.state = 'waiting';
  chat.offerEpoch += 1;
  if (operatorId === null) return;
  addMember(chat, operatorId);
  const queueTimeMs = portal.lines.get(chat.lineId)?.queueTimeMs ?? null;
  if (queueTimeMs === null) return;
  const epoch = chat.offerEpoch;
  effects.after(queueTimeMs, () => {
    if (chat.offerEpoch !== epoch || chat.state !== 'waiting') return;
    const line = portal.lines.get(chat.lineId);
    const next = line === undefined ? null : offerFromQueue(line, operatorId);
    if (next !== null) awaitOperator(portal, chat, next, effects);
  });
}

/** Whether `userId` may act as an operator of this chat right now. */
function mayOperate(portal: PortalState, chat: ChatRecord, userId: number): boolean {
  if (chat.waitingOperatorId === userId || chat.ownerId === userId) return true;
  return portal.lines.get(chat.lineId)?.queue.includes(userId) ?? false;
}

/**
 * `Chat::answer`: the owner becomes the operator, other operators leave, then a system notice
 * from the operator (a bot still in the chat hears it, owner already set). `notice: false` for an
 * answer implied by the operator's first message.
 */
export function answerChat(
  portal: PortalState,
  chat: ChatRecord,
  userId: number,
  effects: SessionEffects,
  notice = true,
): void {
  if (chat.state === 'answered' && chat.ownerId === userId) return;
  if (chat.state !== 'waiting' || !mayOperate(portal, chat, userId)) {
    throw accessDenied('This user cannot answer this chat now');
  }
  dropMembersExcept(chat, (member) => member === userId || !isRealOperator(portal, member));
  chat.waitingOperatorId = null;
  chat.ownerId = userId;
  chat.state = 'answered';
  chat.offerEpoch += 1;
  addMember(chat, userId);
  if (notice) effects.notice(chat, userId, `[USER=${userId}][/USER] started working on the dialog`);
  if (portal.lines.get(chat.lineId)?.removeBotOnAnswer === true) removeBot(chat);
}

/** `Chat::skip`: a notice from the skipping operator, then the next operator of the queue. */
export function skipChat(
  portal: PortalState,
  chat: ChatRecord,
  userId: number,
  effects: SessionEffects,
): void {
  const involved = chat.waitingOperatorId === userId || chat.ownerId === userId;
  if (chat.state === 'finished' || chat.state === 'bot' || !involved) {
    throw accessDenied('This user is not the operator of this chat');
  }
  effects.notice(chat, userId, `[USER=${userId}][/USER] skipped the dialog`);
  dropMember(chat, userId);
  if (chat.ownerId === userId) chat.ownerId = 0;
  if (chat.waitingOperatorId === userId) chat.waitingOperatorId = null;
  const line = portal.lines.get(chat.lineId);
  awaitOperator(portal, chat, line === undefined ? null : offerFromQueue(line, userId), effects);
}

/**
 * `Chat::finish(userId)`: someone who is not a connector finishing an unanswered chat answers it
 * first; the session's operator then posts the closing notice, and closing removes everyone but
 * the client (the bot too). The next client message opens a new session.
 */
export function finishSession(
  portal: PortalState,
  chat: ChatRecord,
  effects: SessionEffects,
  byUserId = 0,
): void {
  if (chat.state === 'finished') return;
  if (byUserId > 0 && chat.ownerId <= 0 && portal.users.get(byUserId)?.kind !== 'client') {
    dropMembersExcept(chat, (member) => member === byUserId || !isRealOperator(portal, member));
    chat.ownerId = byUserId;
    chat.waitingOperatorId = null;
    chat.state = 'answered';
    addMember(chat, byUserId);
    effects.notice(chat, byUserId, `[USER=${byUserId}][/USER] started working on the dialog`);
  }
  effects.notice(chat, sessionOperatorId(chat) ?? 0, 'The dialog is closed');
  dropMembersExcept(chat, (member) => portal.users.get(member)?.kind === 'client');
  chat.waitingOperatorId = null;
  chat.ownerId = 0;
  chat.state = 'finished';
  chat.offerEpoch += 1;
}

/** `imopenlines.operator.finish`. */
export function operatorFinishChat(
  portal: PortalState,
  chat: ChatRecord,
  userId: number,
  effects: SessionEffects,
): void {
  if (chat.state === 'finished' || !mayOperate(portal, chat, userId)) {
    throw accessDenied('This user cannot finish this chat');
  }
  finishSession(portal, chat, effects, userId);
}

/**
 * `Chat::endBotSession`: only while the session's operator is the bot. The bot leaves (unless the
 * line says `WELCOME_BOT_LEFT=close`) and the chat goes to the line's queue. Returns whether it
 * acted.
 */
export function endBotSession(portal: PortalState, chat: ChatRecord, effects: SessionEffects): boolean {
  if (chat.state !== 'bot') return false;
  const line = portal.lines.get(chat.lineId);
  if (line?.welcomeBotLeft !== 'close') removeBot(chat);
  effects.notice(chat, 0, 'The bot has ended the conversation');
  awaitOperator(portal, chat, line === undefined ? null : offerFromQueue(line), effects);
  return true;
}

/**
 * A client message after the session was closed opens a new one with a new id, held by the
 * line's bot, which joins again. Returns whether the bot (re)joined.
 */
export function reopenIfFinished(portal: PortalState, chat: ChatRecord, nowMs: number): boolean {
  if (chat.state !== 'finished') return false;
  chat.sessionId = portal.ids.session.next();
  chat.sessionStartedAt = Math.floor(nowMs / 1000);
  chat.state = 'bot';
  chat.ownerId = 0;
  chat.waitingOperatorId = null;
  const joined = !chat.members.includes(chat.botId);
  addMember(chat, chat.botId);
  return joined;
}

/** The first message by the waiting operator counts as answering (without a notice). */
export function operatorMessageAnswers(
  portal: PortalState,
  chat: ChatRecord,
  userId: number,
  effects: SessionEffects,
): boolean {
  if (chat.state !== 'waiting' || chat.waitingOperatorId !== userId) return false;
  answerChat(portal, chat, userId, effects, false);
  return true;
}

export function recordMessage(
  portal: PortalState,
  chat: ChatRecord,
  authorId: number,
  text: string,
  atMs: number,
  system = false,
): MessageRecord {
  const message: MessageRecord = {
    id: portal.ids.message.next(),
    chatId: chat.chatId,
    authorId,
    text,
    at: atMs,
    system,
  };
  chat.messages.push(message);
  return message;
}
