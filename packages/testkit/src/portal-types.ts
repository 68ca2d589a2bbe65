import type { WorkdayStatus } from './model/types.js';
import type {
  AppOptions,
  BotOptions,
  ClientChatOptions,
  LineOptions,
  OperatorOptions,
  WebhookOptions,
} from './portal-options.js';

/** An incoming webhook. Call `${baseUrl}${method}.json` (`.json` optional). */
export interface Webhook {
  readonly userId: number;
  readonly secret: string;
  /** `${emulator.url}/rest/${userId}/${secret}/` */
  readonly baseUrl: string;
}

/** An installed OAuth app with its first token pair. */
export interface InstalledApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `${emulator.url}/rest/`: call `${clientEndpoint}${method}` with `auth=<accessToken>`. */
  readonly clientEndpoint: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds when `accessToken` expires. */
  readonly expiresAt: number;
}

/** A chat bot registered on a portal. */
export interface RegisteredBot {
  /** The bot's user id: `BOT_ID` in v1 calls and events, `botId` in v2. */
  readonly botId: number;
  /** What a v1 webhook call names the bot with: `CLIENT_ID`. */
  readonly clientId: string;
  /** The v2 `botToken`; the v1 Open Lines methods accept it as `CLIENT_ID` too. */
  readonly botToken: string;
}

/** A client's chat on an open line, opened by `createClientChat`. */
export interface ClientChat {
  readonly chatId: number;
  /** `chat<chatId>` */
  readonly dialogId: string;
  /** The connector user who writes as the client. */
  readonly clientUserId: number;
}

/** Where a session stands: held by the `bot`, `waiting` for an operator, `answered`, `finished`. */
export type ChatStateName = 'bot' | 'waiting' | 'answered' | 'finished';

/** A transfer the bot made, as requested. */
export interface ChatTransfer {
  readonly to: { readonly userId: number } | { readonly queueId: number };
  /** `LEAVE=Y` was sent (a queue transfer ignores it). */
  readonly leave: boolean;
}

/** A copy of a chat's state at the time of the call. */
export interface ChatSnapshot {
  readonly chatId: number;
  readonly lineId: number;
  readonly dialogId: string;
  readonly clientUserId: number;
  readonly members: readonly number[];
  readonly botPresent: boolean;
  /**
   * The dialog's owner (`AUTHOR_ID`): what `CHAT_AUTHOR_ID` / `chat.owner` of every message event
   * and `imopenlines.dialog.get`'s `owner` carry. 0 while the bot holds the chat or nobody has
   * answered, the operator's id once answered.
   */
  readonly ownerId: number;
  /** The current (or, once closed, the last) session's id; a new session gets a new one. */
  readonly sessionId: number;
  /** The operator the chat is offered to, until someone answers. */
  readonly waitingOperatorId: number | null;
  /**
   * The session's operator (`OPERATOR_ID`): the bot while it holds the chat, the waiting operator,
   * then the owner; `null` once closed or when nobody could be offered it. A client's `0` acts only
   * while this is the bot.
   */
  readonly sessionOperatorId: number | null;
  /** `CHAT_ENTITY_DATA_1` as events carry it: the session id is its field 6 (0 once closed). */
  readonly entityData1: string;
  readonly state: ChatStateName;
  readonly transfers: readonly ChatTransfer[];
}

/** A message in a chat, from anyone (bots included), platform notices too. */
export interface ChatMessage {
  readonly id: number;
  /** 0 for a notice from nobody (a transfer, the end of the bot session). */
  readonly authorId: number;
  readonly text: string;
  /** Epoch milliseconds. */
  readonly at: number;
  /** A platform notice (`SYSTEM=Y`). */
  readonly system: boolean;
}

/** One emulated Bitrix24 portal, with methods to drive a scenario and inspect its state. */
export interface Portal {
  readonly memberId: string;
  readonly domain: string;
  readonly applicationToken: string;
  /** Creates an incoming webhook acting as `userId` (default: the administrator, user 1). */
  createWebhook(options?: WebhookOptions): Webhook;
  /** Installs an OAuth app and issues its first access and refresh tokens. */
  installApp(options?: AppOptions): InstalledApp;
  /** Every access token issued so far now answers `401 expired_token`. */
  expireAccessTokens(): void;
  /** Registers a chat bot (a user of kind bot). */
  registerBot(options?: BotOptions): RegisteredBot;
  /** Deletes a bot from the portal and tells it (`ONIMBOTDELETE`). */
  unregisterBot(botId: number): Promise<void>;
  /** Creates an employee who can be put in line queues (`userId` to choose the id). */
  createOperator(options?: OperatorOptions): { readonly userId: number };
  /**
   * Creates an extranet user: someone outside the company, who cannot take a chat (a transfer to
   * them answers `OPERATOR_WRONG`) nor be put in a line's queue.
   */
  createExtranetUser(options?: OperatorOptions): { readonly userId: number };
  /** Sets a user's workday as `timeman.status` reports it (`OPENED` at work; `CLOSED`, `PAUSED`, `EXPIRED` not). */
  setWorkday(userId: number, status: WorkdayStatus): void;
  /** Creates an open line (its id is also the `QUEUE_ID` of a queue transfer). */
  createLine(options: LineOptions): { readonly lineId: number };
  /** Opens a client chat on a line; the bot is a member and holds the session. */
  createClientChat(options: ClientChatOptions): ClientChat;
  /**
   * The client writes. After a closed session this opens a new one (new session id) and the bot
   * joins again (`ONIMBOTJOINCHAT`). Delivered to the bot while it is a member. Exactly `0`, while
   * the bot is the session's operator, then ends the bot session: the bot leaves (unless the line
   * has `welcomeBotLeft: 'close'`) and the line's queue takes over; otherwise `0` is an ordinary
   * message. Resolves once the bot's handlers have answered.
   */
  clientWrites(chatId: number, text: string): Promise<{ readonly messageId: number }>;
  /** An operator writes; the waiting operator's first message counts as answering. */
  operatorWrites(
    chatId: number,
    operatorUserId: number,
    text: string,
  ): Promise<{ readonly messageId: number }>;
  /**
   * Same effect as `imopenlines.operator.answer`: owner = the operator, then a system notice from
   * the operator to a bot still in the chat. Resolves once the bot has heard it.
   */
  operatorAnswers(chatId: number, operatorUserId: number): Promise<void>;
  /**
   * Same effect as `imopenlines.operator.skip`: a system notice from the skipping operator (owner
   * still 0), then the chat is offered to the next operator of the queue.
   */
  operatorSkips(chatId: number, operatorUserId: number): Promise<void>;
  /**
   * Same effect as `imopenlines.operator.finish`: answers first if nobody had, a closing notice
   * from the session's operator, then everyone but the client leaves (the bot too).
   */
  operatorFinishes(chatId: number, operatorUserId: number): Promise<void>;
  /** Someone removes the bot from the chat. */
  kickBot(chatId: number): void;
  /**
   * Holds the chat's transfer lock for `ms`, as a concurrent transfer does: transfers answer
   * `OPERATOR_WRONG` until it is released.
   */
  holdTransferLock(chatId: number, ms: number): void;
  /** The chat's state now. */
  chat(chatId: number): ChatSnapshot;
  /** Every message of the chat, oldest first. */
  messages(chatId: number): readonly ChatMessage[];
}
