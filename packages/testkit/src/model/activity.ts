import { dispatchBotEvent } from '../events/dispatch.js';
import { methodError, PlatformError } from '../http/platform-error.js';
import type { Runtime } from '../runtime.js';
import {
  clientEscapesBot,
  isBotPresent,
  operatorMessageAnswers,
  recordMessage,
  reopenIfFinished,
} from './session.js';
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

/** Delivers a message to the chat's bot while it is a member; bots never hear bots. */
async function notifyBot(
  runtime: Runtime,
  portal: PortalState,
  chat: ChatRecord,
  message: MessageRecord,
  author: UserRecord,
) {
  const bot = chatBot(portal, chat);
  if (bot === undefined || author.kind === 'bot' || !isBotPresent(chat)) return;
  await inChatOrder(chat, () =>
    dispatchBotEvent(runtime, portal, bot, { kind: 'message', chat, message, author }),
  );
}

/** Announces the bot joining the chat (`ONIMBOTJOINCHAT`). */
export async function announceJoin(runtime: Runtime, portal: PortalState, chat: ChatRecord): Promise<void> {
  const bot = chatBot(portal, chat);
  const client = portal.users.get(chat.clientUserId);
  if (bot === undefined || client === undefined) return;
  await inChatOrder(chat, () =>
    dispatchBotEvent(runtime, portal, bot, { kind: 'join', chat, inviter: client }),
  );
}

/**
 * The client writes. A finished session reopens with the bot; the bot hears the message while a
 * member; the text `0` then ends the bot session (delivered first, then the bot is removed).
 */
export async function clientMessage(runtime: Runtime, portal: PortalState, chat: ChatRecord, text: string) {
  const client = requireUser(portal, chat.clientUserId);
  if (reopenIfFinished(portal, chat)) await announceJoin(runtime, portal, chat);
  const message = recordMessage(portal, chat, client.id, text, Date.now());
  await notifyBot(runtime, portal, chat, message, client);
  if (text.trim() === '0') clientEscapesBot(portal, chat);
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
  operatorMessageAnswers(portal, chat, userId);
  const message = recordMessage(portal, chat, userId, text, Date.now());
  await notifyBot(runtime, portal, chat, message, author);
  return message;
}
