import { createCounter } from './clock.js';
import { parseInput, TestkitError } from './errors.js';
import { dispatchBotEvent } from './events/dispatch.js';
import { PlatformError } from './http/platform-error.js';
import {
  announceJoin,
  clientMessage,
  createEffects,
  employeeMessage,
  requireChat,
} from './model/activity.js';
import type { IdSource } from './model/ids.js';
import { removeBot } from './model/membership.js';
import { snapshotChat } from './model/portal-state.js';
import { answerChat, operatorFinishChat, skipChat } from './model/session.js';
import { ADMIN_USER_ID, type ChatRecord, type PortalState } from './model/types.js';
import type { LineWorktime } from './portal-options.js';
import {
  appOptionsSchema,
  botOptionsSchema,
  chatIdSchema,
  clientChatOptionsSchema,
  lineOptionsSchema,
  lockMsSchema,
  messageTextSchema,
  operatorOptionsSchema,
  userIdSchema,
  webhookOptionsSchema,
} from './portal-options.js';
import type { Portal } from './portal-types.js';
import type { Runtime } from './runtime.js';

/** Runs a session rule for the programmatic API: a platform refusal becomes a coded error. */
async function asTestkit<T>(memberId: string, chatId: number, action: () => T | Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw translate(error, memberId, chatId);
  }
}

function translate(error: unknown, memberId: string, chatId: number): unknown {
  if (!(error instanceof PlatformError)) return error;
  const code =
    error.code === 'WRONG_CHAT' && error.message.includes('does not exist')
      ? 'NOT_FOUND'
      : 'PLATFORM_REFUSED';
  return new TestkitError(code, `${error.code}: ${error.message}`, {
    context: { portal: memberId, chatId, platformCode: error.code },
    cause: error,
  });
}

/** A new id from `source`, or `wanted` when it is free. */
function newId(source: IdSource, wanted: number | undefined, what: string): number {
  if (wanted === undefined) return source.next();
  if (!source.take(wanted)) throw new TestkitError('INVALID_INPUT', `${what} ${wanted} is already used`);
  return wanted;
}

/** The programmatic face of one portal. */
export function createPortal(runtime: Runtime, state: PortalState): Portal {
  /** Applies a session rule, then waits until the bot has heard its notices. */
  const withEffects = async (chatId: number, rule: (effects: ReturnType<typeof createEffects>) => void) => {
    const effects = createEffects(runtime, state);
    await asTestkit(state.memberId, chatId, () => rule(effects));
    await effects.settled();
  };
  const appIds = createCounter(1);
  const chatOf = (chatId: number): ChatRecord => {
    const id = parseInput(chatIdSchema, chatId, 'chat id');
    const chat = state.chats.get(id);
    if (chat === undefined) {
      throw new TestkitError('NOT_FOUND', `Chat ${id} does not exist on portal ${state.memberId}`, {
        context: { portal: state.memberId, chatId: id },
      });
    }
    return chat;
  };
  const requireKnownUser = (userId: number, what: string) => {
    const id = parseInput(userIdSchema, userId, what);
    if (!state.users.has(id)) {
      throw new TestkitError('NOT_FOUND', `User ${id} does not exist on portal ${state.memberId}`, {
        context: { portal: state.memberId },
      });
    }
    return id;
  };

  return {
    memberId: state.memberId,
    domain: state.domain,
    applicationToken: state.applicationToken,

    createWebhook(options = {}) {
      const parsed = parseInput(webhookOptionsSchema, options, 'webhook options');
      const userId = requireKnownUser(parsed.userId ?? ADMIN_USER_ID, 'webhook user id');
      const grant = runtime.credentials.addWebhook(state.memberId, userId);
      return { userId, secret: grant.secret, baseUrl: `${runtime.url()}/rest/${userId}/${grant.secret}/` };
    },

    installApp(options = {}) {
      const parsed = parseInput(appOptionsSchema, options, 'app options');
      const n = appIds.next();
      const clientId = parsed.clientId ?? `local.app${n}`;
      if (state.apps.has(clientId)) {
        throw new TestkitError('INVALID_INPUT', `App ${clientId} is already installed on ${state.memberId}`);
      }
      const app = { clientId, clientSecret: parsed.clientSecret ?? `appsecret${n}`, userId: ADMIN_USER_ID };
      state.apps.set(clientId, app);
      const tokens = runtime.credentials.issueTokens(state.memberId, clientId);
      return {
        clientId,
        clientSecret: app.clientSecret,
        clientEndpoint: `${runtime.url()}/rest/`,
        ...tokens,
      };
    },

    expireAccessTokens() {
      runtime.credentials.expireAccessTokens(state.memberId);
    },

    registerBot(options = {}) {
      const parsed = parseInput(botOptionsSchema, options, 'bot options');
      if (parsed.appClientId !== undefined && !state.apps.has(parsed.appClientId)) {
        throw new TestkitError(
          'NOT_FOUND',
          `App ${parsed.appClientId} is not installed on ${state.memberId}`,
        );
      }
      const botId = newId(state.ids.user, parsed.botId, 'User id');
      const code = parsed.code ?? `bot${botId}`;
      state.users.set(botId, { id: botId, kind: 'bot', name: code });
      const clientId = parsed.clientId ?? `botclient${botId}`;
      const botToken = parsed.botToken ?? clientId;
      state.bots.set(botId, {
        botId,
        code,
        clientId,
        botToken,
        eventHandlerUrl: parsed.eventHandlerUrl,
        eventsVersion: parsed.eventsVersion ?? 1,
        appClientId: parsed.appClientId ?? state.apps.keys().next().value,
        deleted: false,
        fetchQueue: [],
      });
      return { botId, clientId, botToken };
    },

    async unregisterBot(botId) {
      const bot = state.bots.get(parseInput(userIdSchema, botId, 'bot id'));
      if (bot === undefined || bot.deleted)
        throw new TestkitError('NOT_FOUND', `Bot ${botId} is not registered`);
      bot.deleted = true;
      for (const chat of state.chats.values()) if (chat.botId === bot.botId) removeBot(chat);
      await dispatchBotEvent(runtime, state, bot, { kind: 'delete' });
    },

    createOperator(options = {}) {
      const parsed = parseInput(operatorOptionsSchema, options, 'operator options');
      const userId = newId(state.ids.user, parsed.userId, 'User id');
      state.users.set(userId, {
        id: userId,
        kind: 'operator',
        name: parsed.name ?? `Operator ${userId}`,
        workday: 'OPENED',
      });
      return { userId };
    },

    createExtranetUser(options = {}) {
      const parsed = parseInput(operatorOptionsSchema, options, 'extranet user options');
      const userId = newId(state.ids.user, parsed.userId, 'User id');
      state.users.set(userId, { id: userId, kind: 'extranet', name: parsed.name ?? `Extranet ${userId}` });
      return { userId };
    },

    setWorkday(userId, status) {
      const user = state.users.get(userId);
      if (user === undefined)
        throw new TestkitError('NOT_FOUND', `User ${userId} is not a user of ${state.memberId}`);
      if (!['OPENED', 'CLOSED', 'PAUSED', 'EXPIRED'].includes(status)) {
        throw new TestkitError('INVALID_INPUT', `Unknown workday status ${String(status)}`);
      }
      user.workday = status;
    },

    createLine(options) {
      const parsed = parseInput(lineOptionsSchema, options, 'line options');
      for (const userId of parsed.queue) {
        const user = state.users.get(userId);
        if (user === undefined || (user.kind !== 'operator' && user.kind !== 'admin')) {
          throw new TestkitError(
            'NOT_FOUND',
            `Queue member ${userId} is not an operator of ${state.memberId}`,
          );
        }
      }
      const lineId = state.ids.line.next();
      state.lines.set(lineId, {
        lineId,
        name: parsed.name ?? `Line ${lineId}`,
        queue: [...parsed.queue],
        nextOperatorIndex: 0,
        removeBotOnAnswer: parsed.removeBotOnAnswer ?? false,
        welcomeBotLeft: parsed.welcomeBotLeft ?? 'queue',
        queueTimeMs: parsed.queueTimeMs ?? null,
        worktime: (parsed.worktime as LineWorktime | undefined) ?? null,
      });
      return { lineId };
    },

    createClientChat(options) {
      const parsed = parseInput(clientChatOptionsSchema, options, 'client chat options');
      if (!state.lines.has(parsed.lineId))
        throw new TestkitError('NOT_FOUND', `Line ${parsed.lineId} does not exist`);
      const bot = state.bots.get(parsed.botId);
      if (bot === undefined || bot.deleted)
        throw new TestkitError('NOT_FOUND', `Bot ${parsed.botId} is not registered`);
      if (parsed.chatId !== undefined && state.chats.has(parsed.chatId)) {
        throw new TestkitError('INVALID_INPUT', `Chat id ${parsed.chatId} is already used`);
      }
      const clientUserId = state.ids.user.next();
      state.users.set(clientUserId, {
        id: clientUserId,
        kind: 'client',
        name: parsed.clientName ?? `Client ${clientUserId}`,
      });
      const chatId = newId(state.ids.chat, parsed.chatId, 'Chat id');
      const chat: ChatRecord = {
        chatId,
        lineId: parsed.lineId,
        botId: bot.botId,
        clientUserId,
        connectorChatId: state.ids.chat.next(),
        members: [clientUserId, bot.botId],
        ownerId: 0,
        sessionId: state.ids.session.next(),
        waitingOperatorId: null,
        state: 'bot',
        transfers: [],
        messages: [],
        transferLockUntil: 0,
        transferInProgress: false,
        deliveries: Promise.resolve(),
        sessionStartedAt: Math.floor(Date.now() / 1000),
        offerEpoch: 0,
      };
      state.chats.set(chatId, chat);
      if (parsed.announceJoin ?? true) runtime.background(announceJoin(runtime, state, chat));
      return { chatId, dialogId: `chat${chatId}`, clientUserId };
    },

    async clientWrites(chatId, text) {
      const chat = chatOf(chatId);
      const body = parseInput(messageTextSchema, text, 'message text');
      const message = await asTestkit(state.memberId, chat.chatId, () =>
        clientMessage(runtime, state, chat, body),
      );
      return { messageId: message.id };
    },

    async operatorWrites(chatId, operatorUserId, text) {
      const chat = chatOf(chatId);
      const userId = requireKnownUser(operatorUserId, 'operator user id');
      const body = parseInput(messageTextSchema, text, 'message text');
      const message = await asTestkit(state.memberId, chat.chatId, () =>
        employeeMessage(runtime, state, chat, userId, body),
      );
      return { messageId: message.id };
    },

    async operatorAnswers(chatId, operatorUserId) {
      const chat = chatOf(chatId);
      const userId = requireKnownUser(operatorUserId, 'operator user id');
      await withEffects(chat.chatId, (effects) => answerChat(state, chat, userId, effects));
    },

    async operatorSkips(chatId, operatorUserId) {
      const chat = chatOf(chatId);
      const userId = requireKnownUser(operatorUserId, 'operator user id');
      await withEffects(chat.chatId, (effects) => skipChat(state, chat, userId, effects));
    },

    async operatorFinishes(chatId, operatorUserId) {
      const chat = chatOf(chatId);
      const userId = requireKnownUser(operatorUserId, 'operator user id');
      await withEffects(chat.chatId, (effects) => operatorFinishChat(state, chat, userId, effects));
    },

    kickBot(chatId) {
      removeBot(chatOf(chatId));
    },

    holdTransferLock(chatId, ms) {
      const chat = chatOf(chatId);
      chat.transferLockUntil = runtime.now() + parseInput(lockMsSchema, ms, 'lock duration');
    },

    chat(chatId) {
      return snapshotChat(chatOf(chatId));
    },

    messages(chatId) {
      return requireChat(state, chatOf(chatId).chatId).messages.map(({ id, authorId, text, at, system }) => ({
        id,
        authorId,
        text,
        at,
        system,
      }));
    },
  };
}
