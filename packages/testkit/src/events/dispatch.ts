import qs from 'qs';
import { preciseNow } from '../clock.js';
import type { CredentialStore } from '../credentials.js';
import type { FaultMatcher } from '../faults.js';
import type { BotRecord, ChatRecord, MessageRecord, PortalState, UserRecord } from '../model/types.js';
import { botDeleteV1, joinChatV1, messageAddV1, type PhpForm, portalAuth } from './payload-v1.js';
import { botV2, chatV2, type JsonObject, messageV2, toPhpStrings, userV2 } from './payload-v2.js';
import { postForm } from './post-form.js';

/** One outbound event as the emulator sent (or queued) it. */
export interface DeliveryRecord {
  /** Epoch milliseconds, sub-millisecond precision. */
  readonly at: number;
  readonly portal: string;
  readonly botId: number;
  /** `ONIMBOTMESSAGEADD`, `ONIMBOTV2JOINCHAT`, … */
  readonly event: string;
  /** `webhook`: POSTed to the bot's handler; `fetch`: queued for `imbot.v2.Event.get`; `none`: the bot has nowhere to receive it. */
  readonly mode: 'webhook' | 'fetch' | 'none';
  readonly url?: string;
  /** The handler's HTTP status, when it answered. */
  readonly status?: number;
  /** Why the delivery failed (`ECONNREFUSED`, `TIMEOUT`, …); the platform never retries it. */
  readonly error?: string;
  /** This is the second copy of a duplicated delivery. */
  readonly duplicate: boolean;
}

/** What event dispatch needs from the running emulator. */
export interface EventSink {
  clientEndpoint(): string;
  /** Issues the tokens an event of an app's bot carries. */
  readonly credentials: CredentialStore;
  readonly faults: FaultMatcher;
  readonly deliveries: DeliveryRecord[];
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** The v2 `user.type` of connector (client) users. */
  readonly connectorUserType: string;
}

export type BotEvent =
  | {
      readonly kind: 'message';
      readonly chat: ChatRecord;
      readonly message: MessageRecord;
      readonly author: UserRecord;
    }
  | { readonly kind: 'join'; readonly chat: ChatRecord; readonly inviter: UserRecord }
  | { readonly kind: 'delete' };

const names = {
  message: ['ONIMBOTMESSAGEADD', 'ONIMBOTV2MESSAGEADD'],
  join: ['ONIMBOTJOINCHAT', 'ONIMBOTV2JOINCHAT'],
  delete: ['ONIMBOTDELETE', 'ONIMBOTV2DELETE'],
} as const;

function dataV1(bot: BotRecord, event: BotEvent, auth: PhpForm): PhpForm {
  if (event.kind === 'message') return messageAddV1(bot, event.chat, event.message, event.author, auth);
  if (event.kind === 'join') return joinChatV1(bot, event.chat, event.inviter, auth);
  return botDeleteV1(bot);
}

function dataV2(
  bot: BotRecord,
  event: BotEvent,
  botAuth: JsonObject | undefined,
  connectorType: string,
): JsonObject {
  const bot2 = botV2(bot, botAuth);
  if (event.kind === 'message') {
    return {
      bot: bot2,
      message: messageV2(event.message),
      chat: chatV2(event.chat),
      user: userV2(event.author, connectorType),
      language: 'en',
    };
  }
  if (event.kind === 'join') {
    const chat = chatV2(event.chat);
    return {
      bot: bot2,
      dialogId: `chat${event.chat.chatId}`,
      chat,
      user: userV2(event.inviter, connectorType),
      language: 'en',
    };
  }
  return { bot: bot2 };
}

/**
 * Sends one event to one bot: POSTs it to the handler (webhook mode, never retried), or queues it
 * for `imbot.v2.Event.get` (v2 without a handler). Resolves when the handler has answered or
 * failed; never rejects.
 */
export async function dispatchBotEvent(
  sink: EventSink,
  portal: PortalState,
  bot: BotRecord,
  event: BotEvent,
): Promise<void> {
  if (bot.deleted && event.kind !== 'delete') return;
  const type = names[event.kind][bot.eventsVersion - 1] ?? names[event.kind][0];
  const base = { portal: portal.memberId, botId: bot.botId, event: type };
  const endpoint = sink.clientEndpoint();
  if (bot.eventHandlerUrl === undefined) {
    if (bot.eventsVersion === 2) {
      const at = preciseNow();
      bot.fetchQueue.push({
        eventId: portal.ids.event.next(),
        type,
        date: new Date(at).toISOString(),
        data: dataV2(bot, event, undefined, sink.connectorUserType),
      });
      sink.deliveries.push({ ...base, at, mode: 'fetch', duplicate: false });
    } else {
      sink.deliveries.push({ ...base, at: preciseNow(), mode: 'none', duplicate: false });
    }
    return;
  }
  const app = bot.appClientId === undefined ? undefined : portal.apps.get(bot.appClientId);
  const tokens =
    app === undefined
      ? undefined
      : { ...sink.credentials.issueTokens(portal.memberId, app.clientId), userId: app.userId };
  const auth = portalAuth(portal, endpoint, tokens);
  const data =
    bot.eventsVersion === 1
      ? dataV1(bot, event, auth)
      : toPhpStrings(dataV2(bot, event, auth, sink.connectorUserType));
  const body = qs.stringify(
    {
      event: type,
      event_handler_id: String(bot.botId),
      data,
      ts: String(Math.floor(Date.now() / 1000)),
      auth,
    },
    { format: 'RFC1738' },
  );
  const copies = sink.faults.take(['duplicateEvents'], type, portal.memberId) === undefined ? 1 : 2;
  for (let copy = 0; copy < copies; copy++) {
    if (sink.signal.aborted) return;
    const at = preciseNow();
    const outcome = await postForm(bot.eventHandlerUrl, body, sink.timeoutMs, sink.signal);
    sink.deliveries.push({
      ...base,
      at,
      mode: 'webhook',
      url: bot.eventHandlerUrl,
      ...outcome,
      duplicate: copy > 0,
    });
  }
}
