import type { LineWorktime } from '../portal-options.js';
import type { PortalIds } from './ids.js';

/** Who a user of the portal is; decides the `IS_BOT` / `IS_CONNECTOR` flags of events. */
export type UserKind = 'admin' | 'operator' | 'bot' | 'client' | 'extranet';

export interface UserRecord {
  readonly id: number;
  readonly kind: UserKind;
  readonly name: string;
  /** The user's workday as `timeman.status` reports it; operators start with `OPENED`. */
  workday?: WorkdayStatus;
}

/** `timeman.status`'s `STATUS`. */
export type WorkdayStatus = 'OPENED' | 'CLOSED' | 'PAUSED' | 'EXPIRED';

/** Delivery of bot events: v1 `ONIMBOT*` or v2 `ONIMBOTV2*`. */
export type EventsVersion = 1 | 2;

export interface BotRecord {
  readonly botId: number;
  readonly code: string;
  /** The `CLIENT_ID` a v1 webhook call names the bot with. */
  readonly clientId: string;
  /** The v2 `botToken`; v1 Open Lines methods accept it as `CLIENT_ID` too. */
  readonly botToken: string;
  readonly eventHandlerUrl: string | undefined;
  readonly eventsVersion: EventsVersion;
  /** The OAuth app that registered the bot, if any. */
  readonly appClientId: string | undefined;
  deleted: boolean;
  /** Fetch mode: events not yet acknowledged, oldest first. */
  readonly fetchQueue: FetchedEvent[];
}

/** One event as `imbot.v2.Event.get` returns it. */
export interface FetchedEvent {
  readonly eventId: number;
  readonly type: string;
  readonly date: string;
  readonly data: Record<string, unknown>;
}

export interface LineRecord {
  readonly lineId: number;
  readonly name: string;
  readonly queue: number[];
  /** Round-robin position of the next operator offered a chat. */
  nextOperatorIndex: number;
  /** Older platform behaviour: the bot leaves when an operator answers. */
  readonly removeBotOnAnswer: boolean;
  /** `WELCOME_BOT_LEFT`: `queue` removes the bot when its session ends, `close` keeps it. */
  readonly welcomeBotLeft: WelcomeBotLeft;
  /** `QUEUE_TIME` in ms: an offered operator who has not answered by then is skipped; `null`: never. */
  readonly queueTimeMs: number | null;
  /** The working time `imopenlines.config.get` reports; `null`: around the clock. */
  readonly worktime: LineWorktime | null;
}

/** The line setting `WELCOME_BOT_LEFT`. */
export type WelcomeBotLeft = 'queue' | 'close';

/** Where an Open Lines session stands. */
export type ChatState = 'bot' | 'waiting' | 'answered' | 'finished';

export type TransferTarget = { readonly userId: number } | { readonly queueId: number };

export interface TransferRecord {
  readonly to: TransferTarget;
  /** The `LEAVE` flag as requested; a queue transfer ignores it. */
  readonly leave: boolean;
}

export interface MessageRecord {
  readonly id: number;
  readonly chatId: number;
  readonly authorId: number;
  readonly text: string;
  /** Epoch milliseconds. */
  readonly at: number;
  /** A platform notice (`SYSTEM=Y`): answer, skip, transfer, close. */
  readonly system: boolean;
}

export interface ChatRecord {
  readonly chatId: number;
  lineId: number;
  readonly botId: number;
  readonly clientUserId: number;
  /** The connector's own chat id, third part of `CHAT_ENTITY_ID`. */
  readonly connectorChatId: number;
  readonly members: number[];
  ownerId: number;
  sessionId: number;
  waitingOperatorId: number | null;
  state: ChatState;
  readonly transfers: TransferRecord[];
  readonly messages: MessageRecord[];
  /** Epoch milliseconds until which another transfer holds the per-chat lock. */
  transferLockUntil: number;
  /** A transfer of this chat is running (see `transferDurationMs`): it holds the lock too. */
  transferInProgress: boolean;
  /** The chat's last event delivery: the next one waits for it, so a bot hears a chat in order. */
  deliveries: Promise<void>;
  /** Epoch seconds the current session started (field 7 of `ENTITY_DATA_1`). */
  sessionStartedAt: number;
  /** Bumped whenever the chat is offered anew: a `QUEUE_TIME` timer of an older offer does nothing. */
  offerEpoch: number;
}

export interface AppRecord {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The user the app's tokens act as (the installing administrator). */
  readonly userId: number;
}

export interface PortalState {
  readonly memberId: string;
  readonly domain: string;
  readonly applicationToken: string;
  readonly users: Map<number, UserRecord>;
  readonly bots: Map<number, BotRecord>;
  readonly lines: Map<number, LineRecord>;
  readonly chats: Map<number, ChatRecord>;
  readonly apps: Map<string, AppRecord>;
  readonly ids: PortalIds;
}

/** The id of the administrator every portal starts with. */
export const ADMIN_USER_ID = 1;

/**
 * The chat's `ENTITY_DATA_1` as the platform keeps it: `CRM|CRM_ENTITY_TYPE|CRM_ENTITY_ID|PAUSE|
 * WAIT_ACTION|SESSION_ID|DATE_CREATE|LINE_ID|BLOCK_DATE|BLOCK_REASON`. Closing a session sets
 * the session id to 0.
 */
export function chatEntityData1(chat: ChatRecord): string {
  const sessionId = chat.state === 'finished' ? 0 : chat.sessionId;
  return `N|NONE|0|N|N|${sessionId}|${chat.sessionStartedAt}|${chat.lineId}|0|0`;
}

/** `livechat|LINE|CHAT|USER`: the connector, line, connector chat and client of a Lines chat. */
export function chatEntityId(chat: ChatRecord): string {
  return `livechat|${chat.lineId}|${chat.connectorChatId}|${chat.clientUserId}`;
}
