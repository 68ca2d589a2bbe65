import type { ChatSnapshot } from '../portal-types.js';
import type { PortalIds } from './ids.js';
import { isBotPresent, sessionOperatorId } from './membership.js';
import { ADMIN_USER_ID, type ChatRecord, chatEntityData1, type PortalState } from './types.js';

/** A portal's empty state, with its administrator (user 1, as on a real portal). */
export function createPortalState(
  memberId: string,
  domain: string,
  applicationToken: string,
  ids: PortalIds,
): PortalState {
  const state: PortalState = {
    memberId,
    domain,
    applicationToken,
    users: new Map(),
    bots: new Map(),
    lines: new Map(),
    chats: new Map(),
    apps: new Map(),
    ids,
  };
  const admin = ADMIN_USER_ID;
  ids.user.take(admin);
  state.users.set(admin, { id: admin, kind: 'admin', name: 'Administrator' });
  return state;
}

/** A copy of the chat for the programmatic API: later changes do not show through. */
export function snapshotChat(chat: ChatRecord): ChatSnapshot {
  return {
    chatId: chat.chatId,
    lineId: chat.lineId,
    dialogId: `chat${chat.chatId}`,
    clientUserId: chat.clientUserId,
    members: [...chat.members],
    botPresent: isBotPresent(chat),
    ownerId: chat.ownerId,
    sessionId: chat.sessionId,
    waitingOperatorId: chat.waitingOperatorId,
    sessionOperatorId: sessionOperatorId(chat),
    entityData1: chatEntityData1(chat),
    state: chat.state,
    transfers: chat.transfers.map((transfer) => ({ to: { ...transfer.to }, leave: transfer.leave })),
  };
}
