import { z } from 'zod';

/** Options of `emulator.createPortal`. */
export interface PortalOptions {
  /** The portal's `member_id`. @defaultValue `member-<n>` */
  readonly memberId?: string;
  /** The portal's domain, as sent in `auth[domain]`. @defaultValue `portal<n>.bitrix24.test` */
  readonly domain?: string;
  /** The token events carry in `auth[application_token]`. @defaultValue `apptoken-<n>` */
  readonly applicationToken?: string;
}

/** Options of `portal.createWebhook`. */
export interface WebhookOptions {
  /** The user the webhook acts as. @defaultValue 1 (the portal's administrator) */
  readonly userId?: number;
}

/** Options of `portal.installApp`. */
export interface AppOptions {
  /** @defaultValue `local.app<n>` */
  readonly clientId?: string;
  /** @defaultValue `appsecret<n>` */
  readonly clientSecret?: string;
}

/** Options of `portal.registerBot`. */
export interface BotOptions {
  /** The bot's user id. @defaultValue a new id (random, 5 to 7 digits, unless `ids: 'sequential'`) */
  readonly botId?: number;
  /**
   * The v2 `botToken` (a v2 bot configured by token only); the v1 Open Lines methods accept it as
   * `CLIENT_ID` through a webhook. @defaultValue `clientId`
   */
  readonly botToken?: string;
  /** @defaultValue `bot<botId>` */
  readonly code?: string;
  /** The `CLIENT_ID` (v1) / `botToken` (v2) webhook calls name the bot with. @defaultValue `botclient<botId>` */
  readonly clientId?: string;
  /** Where events are POSTed. Omitted with `eventsVersion: 2`: fetch mode (`imbot.v2.Event.get`). */
  readonly eventHandlerUrl?: string;
  /** @defaultValue 1 */
  readonly eventsVersion?: 1 | 2;
  /**
   * The OAuth app that owns the bot: its calls act for this bot.
   * @defaultValue the first app installed on the portal, if any
   */
  readonly appClientId?: string;
}

/** Options of `portal.createOperator` and `portal.createExtranetUser`. */
export interface OperatorOptions {
  /** The user id. @defaultValue a new id (random, 5 to 7 digits, unless `ids: 'sequential'`) */
  readonly userId?: number;
  /** @defaultValue `Operator <userId>` */
  readonly name?: string;
}

/** Options of `portal.createLine`. */
export interface LineOptions {
  /** @defaultValue `Line <lineId>` */
  readonly name?: string;
  /** Operator user ids, in the order the line offers chats to them (round-robin). */
  readonly queue: readonly number[];
  /**
   * Whether an operator answering removes a bot that stayed (`LEAVE=N` or a queue transfer).
   * The current platform keeps the bot; older versions removed it depending on a line setting.
   * @defaultValue false
   */
  readonly removeBotOnAnswer?: boolean;
  /**
   * `WELCOME_BOT_LEFT`: `'queue'` removes the bot when its session ends (the client's `0`,
   * `imopenlines.bot.session.operator`); `'close'` keeps it in the chat.
   * @defaultValue 'queue'
   */
  readonly welcomeBotLeft?: 'queue' | 'close';
  /**
   * `QUEUE_TIME` in milliseconds (the platform's setting is in seconds, e.g. 60): when the offered
   * operator has not answered by then, the chat is offered to the next operator of the queue,
   * without telling the bot. Omitted: offers never time out.
   */
  readonly queueTimeMs?: number;
  /**
   * The line's working time (`WORKTIME_ENABLE` `Y` and the `WORKTIME_*` fields of
   * `imopenlines.config.get`). Omitted: the line works around the clock (`WORKTIME_ENABLE` `N`).
   */
  readonly worktime?: LineWorktime;
}

/** A line's working time, in the platform's own forms. */
export interface LineWorktime {
  /** `WORKTIME_FROM`: `'9'`, `'9.30'` (hours, then minutes after the dot). */
  readonly from: string;
  /** `WORKTIME_TO`, e.g. `'18.30'`. */
  readonly to: string;
  /** `WORKTIME_TIMEZONE`, e.g. `'Europe/Kaliningrad'`; empty: the portal's. */
  readonly timeZone?: string;
  /** `WORKTIME_DAYOFF`: `['SA', 'SU']`. */
  readonly daysOff?: readonly string[];
  /** `WORKTIME_HOLIDAYS`: `['1.01', '8.03']`. */
  readonly holidays?: readonly string[];
}

/** Options of `portal.createClientChat`. */
export interface ClientChatOptions {
  /** The chat id. @defaultValue a new id (random, 5 to 7 digits, unless `ids: 'sequential'`) */
  readonly chatId?: number;
  readonly lineId: number;
  readonly botId: number;
  /** Name of the connector user. @defaultValue `Client <userId>` */
  readonly clientName?: string;
  /**
   * Whether the bot is told it joined (`ONIMBOTJOINCHAT`), in the background.
   * @defaultValue true
   */
  readonly announceJoin?: boolean;
}

const id = z.number().int().positive();
const text = z.string().min(1).max(200);

export const portalOptionsSchema = z.strictObject({
  memberId: text.optional(),
  domain: text.optional(),
  applicationToken: text.optional(),
});
export const webhookOptionsSchema = z.strictObject({ userId: id.optional() });
export const appOptionsSchema = z.strictObject({ clientId: text.optional(), clientSecret: text.optional() });
export const botOptionsSchema = z.strictObject({
  botId: id.optional(),
  botToken: text.optional(),
  code: text.optional(),
  clientId: text.optional(),
  eventHandlerUrl: z.url({ protocol: /^https?$/ }).optional(),
  eventsVersion: z.union([z.literal(1), z.literal(2)]).optional(),
  appClientId: text.optional(),
});
export const operatorOptionsSchema = z.strictObject({ userId: id.optional(), name: text.optional() });
export const lineOptionsSchema = z.strictObject({
  name: text.optional(),
  queue: z.array(id),
  removeBotOnAnswer: z.boolean().optional(),
  welcomeBotLeft: z.enum(['queue', 'close']).optional(),
  queueTimeMs: z.number().int().positive().max(3_600_000).optional(),
  worktime: z
    .strictObject({
      from: z.string().regex(/^\d{1,2}(\.\d{1,2})?$/),
      to: z.string().regex(/^\d{1,2}(\.\d{1,2})?$/),
      timeZone: z.string().max(50).optional(),
      daysOff: z
        .array(z.enum(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']))
        .max(7)
        .optional(),
      holidays: z
        .array(z.string().regex(/^\d{1,2}\.\d{2}$/))
        .max(366)
        .optional(),
    })
    .optional(),
});
export const clientChatOptionsSchema = z.strictObject({
  chatId: id.optional(),
  lineId: id,
  botId: id,
  clientName: text.optional(),
  announceJoin: z.boolean().optional(),
});
export const chatIdSchema = id;
export const userIdSchema = id;
export const messageTextSchema = z.string().min(1).max(20_000);
export const lockMsSchema = z.number().int().nonnegative().max(3_600_000);
