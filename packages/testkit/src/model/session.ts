import { methodError, PlatformError } from '../http/platform-error.js';
import type { ChatRecord, LineRecord, MessageRecord, PortalState, TransferTarget } from './types.js';

// The Open Lines session rules, shared by the REST methods and the programmatic API so that both
// sides of a test see one behaviour. Every refusal is a PlatformError with the platform's code.

function addMember(chat: ChatRecord, userId: number): void {
  if (!chat.members.includes(userId)) chat.members.push(userId);
}

function dropMember(chat: ChatRecord, userId: number): boolean {
  const index = chat.members.indexOf(userId);
  if (index < 0) return false;
  chat.members.splice(index, 1);
  return true;
}

export function isBotPresent(chat: ChatRecord): boolean {
  return chat.members.includes(chat.botId);
}

/** The next operator of a queue, round-robin, skipping `exclude`; `null` for an empty queue. */
function offerFromQueue(line: LineRecord, exclude?: number): number | null {
  const candidates = line.queue.filter((userId) => userId !== exclude);
  if (candidates.length === 0) return null;
  for (let step = 0; step < line.queue.length; step++) {
    const userId = line.queue[(line.nextOperatorIndex + step) % line.queue.length];
    if (userId !== undefined && userId !== exclude) {
      line.nextOperatorIndex = (line.nextOperatorIndex + step + 1) % line.queue.length;
      return userId;
    }
  }
  return null;
}

/** Offers the chat to `operatorId` (or nobody): owner resets to 0 until someone answers. */
function awaitOperator(chat: ChatRecord, operatorId: number | null): void {
  if (chat.waitingOperatorId !== null && chat.waitingOperatorId !== operatorId) {
    dropMember(chat, chat.waitingOperatorId);
  }
  if (chat.state === 'answered' && chat.ownerId !== 0 && chat.ownerId !== operatorId) {
    dropMember(chat, chat.ownerId);
  }
  chat.waitingOperatorId = operatorId;
  chat.ownerId = 0;
  chat.state = 'waiting';
  if (operatorId !== null) addMember(chat, operatorId);
}

function requireLine(portal: PortalState, lineId: number): LineRecord {
  const line = portal.lines.get(lineId);
  if (line === undefined) throw methodError('OPERATOR_WRONG', `Open line ${lineId} does not exist`);
  return line;
}

/** `OPERATOR_WRONG` while another transfer holds the chat's lock, as the platform answers. */
export function assertTransferUnlocked(chat: ChatRecord, nowMs: number): void {
  if (chat.transferInProgress || chat.transferLockUntil > nowMs) {
    throw methodError('OPERATOR_WRONG', 'Another transfer of this chat is in progress');
  }
}

/** `imopenlines.bot.session.transfer` after parameter checks. */
export function transferChat(
  portal: PortalState,
  chat: ChatRecord,
  target: TransferTarget,
  leave: boolean,
  nowMs: number,
): void {
  if (!isBotPresent(chat)) throw methodError('WRONG_CHAT', 'The bot is not a member of this chat');
  if (chat.state === 'finished') throw methodError('OPERATOR_WRONG', 'The chat has no open session');
  assertTransferUnlocked(chat, nowMs);
  if ('userId' in target) {
    const user = portal.users.get(target.userId);
    if (user === undefined || user.kind === 'bot' || user.kind === 'extranet') {
      throw methodError('WRONG_CHAT', 'The target user does not exist, or is a bot or an extranet user');
    }
    if (user.kind === 'client') throw methodError('OPERATOR_WRONG', 'The target user is a connector user');
    chat.transfers.push({ to: { userId: target.userId }, leave });
    awaitOperator(chat, target.userId);
    // LEAVE=Y removes the bot at once; LEAVE=N keeps it until someone removes it.
    if (leave) dropMember(chat, chat.botId);
    return;
  }
  const line = requireLine(portal, target.queueId);
  chat.transfers.push({ to: { queueId: target.queueId }, leave });
  chat.lineId = line.lineId;
  // A queue transfer keeps the bot whatever LEAVE says.
  awaitOperator(chat, offerFromQueue(line));
}

/** `imopenlines.bot.session.operator`: the bot hands the chat to its own line's queue. */
export function handToLineQueue(portal: PortalState, chat: ChatRecord): void {
  if (chat.state !== 'bot' || !isBotPresent(chat)) {
    throw methodError('WRONG_CHAT', 'The bot is not the current operator of this chat');
  }
  const line = requireLine(portal, chat.lineId);
  // The bot session ends: the bot leaves and the queue takes over.
  dropMember(chat, chat.botId);
  awaitOperator(chat, offerFromQueue(line));
}

/** Finishes the session; operators leave, the bot (if still there) stays for the next one. */
export function finishSession(chat: ChatRecord): void {
  if (chat.state === 'finished') return;
  for (const operatorId of [chat.waitingOperatorId, chat.ownerId]) {
    if (operatorId !== null && operatorId !== 0) dropMember(chat, operatorId);
  }
  chat.waitingOperatorId = null;
  chat.state = 'finished';
}

/** Whether `userId` may act as an operator of this chat right now. */
function mayOperate(portal: PortalState, chat: ChatRecord, userId: number): boolean {
  if (chat.waitingOperatorId === userId || chat.ownerId === userId) return true;
  return portal.lines.get(chat.lineId)?.queue.includes(userId) ?? false;
}

/** `imopenlines.operator.answer`. Returns whether the bot was removed by the line's setting. */
export function answerChat(portal: PortalState, chat: ChatRecord, userId: number): { botRemoved: boolean } {
  if (chat.state === 'answered' && chat.ownerId === userId) return { botRemoved: false };
  if (chat.state !== 'waiting' || !mayOperate(portal, chat, userId)) {
    throw new PlatformError(403, 'ACCESS_DENIED', 'This user cannot answer this chat now');
  }
  if (chat.waitingOperatorId !== null && chat.waitingOperatorId !== userId) {
    dropMember(chat, chat.waitingOperatorId);
  }
  chat.waitingOperatorId = null;
  chat.ownerId = userId;
  chat.state = 'answered';
  addMember(chat, userId);
  const line = portal.lines.get(chat.lineId);
  const botRemoved = line?.removeBotOnAnswer === true && dropMember(chat, chat.botId);
  return { botRemoved };
}

/** `imopenlines.operator.skip`: the chat goes to the next operator of the queue. */
export function skipChat(portal: PortalState, chat: ChatRecord, userId: number): void {
  const involved = chat.waitingOperatorId === userId || chat.ownerId === userId;
  if (chat.state === 'finished' || chat.state === 'bot' || !involved) {
    throw new PlatformError(403, 'ACCESS_DENIED', 'This user is not the operator of this chat');
  }
  dropMember(chat, userId);
  if (chat.ownerId === userId) chat.ownerId = 0;
  if (chat.waitingOperatorId === userId) chat.waitingOperatorId = null;
  const line = portal.lines.get(chat.lineId);
  awaitOperator(chat, line === undefined ? null : offerFromQueue(line, userId));
}

/** `imopenlines.operator.finish`. */
export function operatorFinishChat(portal: PortalState, chat: ChatRecord, userId: number): void {
  if (chat.state === 'finished' || !mayOperate(portal, chat, userId)) {
    throw new PlatformError(403, 'ACCESS_DENIED', 'This user cannot finish this chat');
  }
  finishSession(chat);
}

/** Removes the bot; `false` when it was not a member. */
export function removeBot(chat: ChatRecord): boolean {
  return dropMember(chat, chat.botId);
}

/**
 * A client message after the session finished opens a new one, held by the bot again.
 * Returns whether the bot (re)joined the chat.
 */
export function reopenIfFinished(portal: PortalState, chat: ChatRecord): boolean {
  if (chat.state !== 'finished') return false;
  chat.sessionId = portal.ids.session.next();
  chat.state = 'bot';
  chat.ownerId = 0;
  chat.waitingOperatorId = null;
  const joined = !isBotPresent(chat);
  addMember(chat, chat.botId);
  return joined;
}

/** The client typed `0`: the platform ends the bot session by itself and hands the chat to the queue. */
export function clientEscapesBot(portal: PortalState, chat: ChatRecord): void {
  if (!isBotPresent(chat) || chat.state !== 'bot') return;
  dropMember(chat, chat.botId);
  const line = portal.lines.get(chat.lineId);
  awaitOperator(chat, line === undefined ? null : offerFromQueue(line));
}

/** The first message by the waiting operator counts as answering. */
export function operatorMessageAnswers(portal: PortalState, chat: ChatRecord, userId: number): boolean {
  if (chat.state !== 'waiting' || chat.waitingOperatorId !== userId) return false;
  answerChat(portal, chat, userId);
  return true;
}

export function recordMessage(
  portal: PortalState,
  chat: ChatRecord,
  authorId: number,
  text: string,
  atMs: number,
): MessageRecord {
  const message: MessageRecord = {
    id: portal.ids.message.next(),
    chatId: chat.chatId,
    authorId,
    text,
    at: atMs,
  };
  chat.messages.push(message);
  return message;
}
