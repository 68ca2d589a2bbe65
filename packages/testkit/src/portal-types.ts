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
  /** What a webhook call names the bot with: `CLIENT_ID` (v1) or `botToken` (v2). */
  readonly clientId: string;
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
  /** The operator who answered; 0 while the bot holds the chat or nobody has answered. */
  readonly ownerId: number;
  readonly sessionId: number;
  /** The operator the chat is offered to, until someone answers. */
  readonly waitingOperatorId: number | null;
  readonly state: ChatStateName;
  readonly transfers: readonly ChatTransfer[];
}

/** A message in a chat, from anyone (bots included). */
export interface ChatMessage {
  readonly id: number;
  readonly authorId: number;
  readonly text: string;
  /** Epoch milliseconds. */
  readonly at: number;
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
  /** Creates an employee who can be put in line queues. */
  createOperator(options?: OperatorOptions): { readonly userId: number };
  /**
   * Creates an extranet user: someone outside the company, who cannot take a chat (a transfer to
   * them answers `WRONG_CHAT`) nor be put in a line's queue.
   */
  createExtranetUser(options?: OperatorOptions): { readonly userId: number };
  /** Creates an open line (its id is also the `QUEUE_ID` of a queue transfer). */
  createLine(options: LineOptions): { readonly lineId: number };
  /** Opens a client chat on a line; the bot is a member and holds the session. */
  createClientChat(options: ClientChatOptions): ClientChat;
  /**
   * The client writes. Delivered to the bot while it is a member. Exactly `0` then removes the
   * bot and hands the chat to the line's queue. Resolves once the bot's handler has answered.
   */
  clientWrites(chatId: number, text: string): Promise<{ readonly messageId: number }>;
  /** An operator writes; the waiting operator's first message counts as answering. */
  operatorWrites(
    chatId: number,
    operatorUserId: number,
    text: string,
  ): Promise<{ readonly messageId: number }>;
  /** Same effect as `imopenlines.operator.answer`. */
  operatorAnswers(chatId: number, operatorUserId: number): Promise<void>;
  /** Same effect as `imopenlines.operator.skip`: offered to the next operator of the queue. */
  operatorSkips(chatId: number, operatorUserId: number): Promise<void>;
  /** Same effect as `imopenlines.operator.finish`. */
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
