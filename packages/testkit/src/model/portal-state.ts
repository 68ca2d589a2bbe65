import { createCounter } from '../clock.js';
import type { ChatSnapshot } from '../portal-types.js';
import { isBotPresent } from './session.js';
import { ADMIN_USER_ID, type ChatRecord, type PortalState } from './types.js';

/** A portal's empty state; ids start at distinct bases so that a chat id never reads as a user id. */
export function createPortalState(memberId: string, domain: string, applicationToken: string): PortalState {
  const state: PortalState = {
    memberId,
    domain,
    applicationToken,
    users: new Map(),
    bots: new Map(),
    lines: new Map(),
    chats: new Map(),
    apps: new Map(),
    ids: {
      user: createCounter(ADMIN_USER_ID),
      line: createCounter(1),
      chat: createCounter(101),
      session: createCounter(1001),
      message: createCounter(10_001),
      event: createCounter(1),
    },
  };
  const admin = state.ids.user.next();
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
    state: chat.state,
    transfers: chat.transfers.map((transfer) => ({ to: { ...transfer.to }, leave: transfer.leave })),
  };
}
