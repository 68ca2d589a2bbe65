import type { ChatRecord, LineRecord, PortalState } from './types.js';

// Who is in a chat, and who the session's operator is.

export function addMember(chat: ChatRecord, userId: number): void {
  if (!chat.members.includes(userId)) chat.members.push(userId);
}

/** Removes `userId`; `false` when it was not a member. */
export function dropMember(chat: ChatRecord, userId: number): boolean {
  const index = chat.members.indexOf(userId);
  if (index < 0) return false;
  chat.members.splice(index, 1);
  return true;
}

export function isBotPresent(chat: ChatRecord): boolean {
  return chat.members.includes(chat.botId);
}

/** Removes the chat's bot; `false` when it was not a member. */
export function removeBot(chat: ChatRecord): boolean {
  return dropMember(chat, chat.botId);
}

/** Whether `userId` is a person of the company: not a bot, not a connector (client) user. */
export function isRealOperator(portal: PortalState, userId: number): boolean {
  const kind = portal.users.get(userId)?.kind;
  return kind !== undefined && kind !== 'bot' && kind !== 'client';
}

/** Removes every member for whom `keep` is false. */
export function dropMembersExcept(chat: ChatRecord, keep: (userId: number) => boolean): void {
  for (const userId of [...chat.members]) if (!keep(userId)) dropMember(chat, userId);
}

/**
 * The session's operator (`OPERATOR_ID`): the bot while it holds the chat, the offered operator
 * while waiting, the owner once answered; `null` when nobody is offered it or it is closed.
 */
export function sessionOperatorId(chat: ChatRecord): number | null {
  if (chat.state === 'bot') return chat.botId;
  if (chat.state === 'waiting') return chat.waitingOperatorId;
  if (chat.state === 'answered') return chat.ownerId;
  return null;
}

/** The next operator of a queue, round-robin, skipping `exclude`; `null` for an empty queue. */
export function offerFromQueue(line: LineRecord, exclude?: number): number | null {
  for (let step = 0; step < line.queue.length; step++) {
    const userId = line.queue[(line.nextOperatorIndex + step) % line.queue.length];
    if (userId !== undefined && userId !== exclude) {
      line.nextOperatorIndex = (line.nextOperatorIndex + step + 1) % line.queue.length;
      return userId;
    }
  }
  return null;
}
