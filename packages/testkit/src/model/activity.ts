import { dispatchBotEvent } from '../events/dispatch.js';
import { methodError, PlatformError } from '../http/platform-error.js';
import type { Runtime } from '../runtime.js';
import type { SessionEffects } from './effects.js';
import { isBotPresent } from './membership.js';
import { endBotSession, operatorMessageAnswers, recordMessage, reopenIfFinished } from './session.js';
import type { BotRecord, ChatRecord, MessageRecord, PortalState, UserRecord } from './types.js';

// Messages written into a chat and the events they cause, shared by the programmatic API and the
// REST methods (`im.message.add`).

export function requireChat(portal: PortalState, chatId: number): ChatRecord {
  const chat = portal.chats.get(chatId);
  if (chat === undefined) throw methodError('WRONG_CHAT', `Chat ${chatId} does not exist`);
  return chat;
}

export function requireUser(portal: PortalState, userId: number): UserRecord {
  const user = portal.users.get(userId);
  if (user === undefined) throw methodError('USER_NOT_FOUND', `User ${userId} does not exist`);
  return user;
}

export function chatBot(portal: PortalState, chat: ChatRecord): BotRecord | undefined {
  return portal.bots.get(chat.botId);
}

/** Runs a chat's deliveries one after another, in the order they were caused. */
function inChatOrder(chat: ChatRecord, deliver: () => Promise<void>): Promise<void> {
  const run = chat.deliveries.then(deliver);
  chat.deliveries = run.catch(() => undefined);
  return run;
}

/**
 * Delivers a message to the chat's bot if it is a member now; bots never hear bots. The event
 * carries the chat as it is now (owner, session id), even if it is sent after earlier ones.
 */
function notifyBot(
  runtime: Runtime,
  portal: PortalState,
  chat: ChatRecord,
  message: MessageRecord,
  author: UserRecord,
): Promise<void> {
  const bot = chatBot(portal, chat);
  if (bot === undefined || author.kind === 'bot' || !isBotPresent(chat)) return Promise.resolve();
  const view: ChatRecord = { ...chat, members: [...chat.members] };
  return inChatOrder(chat, () =>
    dispatchBotEvent(runtime, portal, bot, { kind: 'message', chat: view, message, author }),
  );
}

/** Session effects that deliver notices and keep their deliveries for `settled()`. */
export interface TrackedEffects extends SessionEffects {
  /** Resolves once every notice delivered so far has been answered (or failed). */
  settled(): Promise<void>;
}

export function createEffects(runtime: Runtime, portal: PortalState): TrackedEffects {
  const pending: Promise<void>[] = [];
  const effects: TrackedEffects = {
    notice(chat, authorId, text) {
      const message = recordMessage(portal, chat, authorId, text, Date.now(), true);
      const author = portal.users.get(authorId);
      if (author !== undefined) pending.push(notifyBot(runtime, portal, chat, message, author));
    },
    after(ms, task) {
      runtime.sleep(ms).then(() => {
        if (!runtime.signal.aborted) task();
      });
    },
    settled: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
  return effects;
}

/** Announces the bot joining the chat (`ONIMBOTJOINCHAT`). */
export async function announceJoin(runtime: Runtime, portal: PortalState, chat: ChatRecord): Promise<void> {
  const bot = chatBot(portal, chat);
  const client = portal.users.get(chat.clientUserId);
  if (bot === undefined || client === undefined) return;
  const view: ChatRecord = { ...chat, members: [...chat.members] };
  await inChatOrder(chat, () =>
    dispatchBotEvent(runtime, portal, bot, { kind: 'join', chat: view, inviter: client }),
  );
}

/**
 * The client writes. A closed session reopens with a new id and the bot joins again; the bot hears
 * the message while a member; `0` then ends the bot session, only while the bot is the session's
 * operator (after a transfer it is an ordinary message).
 */
export async function clientMessage(runtime: Runtime, portal: PortalState, chat: ChatRecord, text: string) {
  const client = requireUser(portal, chat.clientUserId);
  const effects = createEffects(runtime, portal);
  const joined = reopenIfFinished(portal, chat, Date.now()) ? announceJoin(runtime, portal, chat) : undefined;
  const message = recordMessage(portal, chat, client.id, text, Date.now());
  await Promise.all([joined, notifyBot(runtime, portal, chat, message, client)]);
  if (text.trim() === '0') endBotSession(portal, chat, effects);
  await effects.settled();
  return message;
}

/** An employee writes; the waiting operator's first message counts as answering. */
export async function employeeMessage(
  runtime: Runtime,
  portal: PortalState,
  chat: ChatRecord,
  userId: number,
  text: string,
) {
  const author = requireUser(portal, userId);
  if (author.kind === 'client' || author.kind === 'bot') {
    throw methodError('ACCESS_ERROR', `User ${userId} is not an employee`);
  }
  if (!chat.members.includes(userId)) {
    throw new PlatformError(403, 'ACCESS_DENIED', `User ${userId} is not a member of chat ${chat.chatId}`);
  }
  operatorMessageAnswers(portal, chat, userId, createEffects(runtime, portal));
  const message = recordMessage(portal, chat, userId, text, Date.now());
  await notifyBot(runtime, portal, chat, message, author);
  return message;
}
