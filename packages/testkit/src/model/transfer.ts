import { methodError } from '../http/platform-error.js';
import type { SessionEffects } from './effects.js';
import { addMember, dropMember, dropMembersExcept, offerFromQueue } from './membership.js';
import { awaitOperator } from './session.js';
import type { ChatRecord, PortalState, TransferTarget } from './types.js';

// `Chat::transfer` as the bot calls it (`imopenlines.bot.session.transfer`). The platform's
// transfer returns false for every refusal, which the REST method answers as `OPERATOR_WRONG`.

const refused = (why: string) =>
  methodError('OPERATOR_WRONG', `You can not redirect to this operator (${why})`);

/** `OPERATOR_WRONG` while another transfer holds the chat's lock, as the platform answers. */
export function assertTransferUnlocked(chat: ChatRecord, nowMs: number): void {
  if (chat.transferInProgress || chat.transferLockUntil > nowMs) throw refused('the chat is locked');
}

/**
 * Transfers the chat from the bot `fromBotId`. Nothing checks that the bot is still a member or
 * who holds the chat: a repeated transfer (even after `LEAVE=Y` removed the bot) succeeds again.
 * - To a user (`transferToOperator`): every member but `FROM`, bots and connectors leaves (an
 *   operator who had answered too); `FROM` leaves as well with `LEAVE=Y`; the owner resets to 0
 *   and the target becomes the operator waiting to answer.
 * - To a queue (`transferToQueue`): everyone but connectors and the calling bot leaves, whatever
 *   `LEAVE` says; the session keeps its id, moves to that line and is offered to its next operator.
 */
export function transferChat(
  portal: PortalState,
  chat: ChatRecord | undefined,
  fromBotId: number,
  target: TransferTarget,
  leave: boolean,
  nowMs: number,
  effects: SessionEffects,
): void {
  if (chat === undefined) throw refused('not an Open Lines chat');
  if (chat.state === 'finished') throw refused('the chat has no open session');
  assertTransferUnlocked(chat, nowMs);
  const kindOf = (userId: number) => portal.users.get(userId)?.kind;
  if ('userId' in target) {
    const kind = kindOf(target.userId);
    if (kind === undefined || kind === 'bot' || kind === 'extranet' || kind === 'client') {
      throw refused('the target is unknown, a bot, an extranet or a connector user');
    }
    dropMembersExcept(
      chat,
      (member) => member === fromBotId || kindOf(member) === 'client' || kindOf(member) === 'bot',
    );
    if (leave) dropMember(chat, fromBotId);
    chat.transfers.push({ to: { userId: target.userId }, leave });
    awaitOperator(portal, chat, target.userId, effects);
    addMember(chat, target.userId);
    effects.notice(
      chat,
      0,
      `[USER=${fromBotId}][/USER] transferred the dialog to [USER=${target.userId}][/USER]`,
    );
    return;
  }
  const line = portal.lines.get(target.queueId);
  if (line === undefined) throw refused(`open line ${target.queueId} does not exist`);
  dropMembersExcept(chat, (member) => kindOf(member) === 'client' || member === fromBotId);
  chat.transfers.push({ to: { queueId: target.queueId }, leave });
  chat.lineId = line.lineId;
  effects.notice(chat, 0, `The dialog was transferred to the line ${line.name}`);
  awaitOperator(portal, chat, offerFromQueue(line), effects);
}
