import { methodError } from '../http/platform-error.js';
import type { AppRecord, BotRecord, PortalState } from '../model/types.js';
import type { OperatingMeter } from '../operating-limit.js';
import type { Runtime } from '../runtime.js';

/** Who is calling: an incoming webhook of a user, or an OAuth app (acting as its installer). */
export type Caller =
  | { readonly kind: 'webhook'; readonly userId: number }
  | { readonly kind: 'oauth'; readonly userId: number; readonly app: AppRecord };

export type Params = Readonly<Record<string, unknown>>;

/** Everything a REST method handler sees. */
export interface CallContext {
  readonly runtime: Runtime;
  readonly portal: PortalState;
  readonly caller: Caller;
  /** Parameters exactly as sent (query, then body). */
  readonly params: Params;
  /** The same with upper-cased keys, for the handlers that normalise case. */
  readonly upper: Params;
  readonly nowMs: number;
  /** The portal's operating-limit meter, which `batch` charges for each inner call. */
  readonly meter: OperatingMeter;
}

/** A REST method: returns the `result`, or throws a PlatformError. */
export type MethodHandler = (context: CallContext) => unknown;

export function upperKeys(params: Params): Params {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key.toUpperCase(), value]));
}

/** PHP's `intval`: a number is truncated, a string read up to its first non-digit, anything else 0. */
export function intval(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'string') {
    const parsed = Number.parseInt(value.trim(), 10);
    return Number.isNaN(parsed) ? 0 : parsed;
  }
  return 0;
}

export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** A dialog id `chat123` (or a plain chat id) as a chat id; 0 when it is not one. */
export function chatIdFromDialog(value: unknown): number {
  const raw = text(value).trim();
  if (raw.startsWith('chat')) return intval(raw.slice(4));
  return intval(raw);
}

function liveBots(portal: PortalState): BotRecord[] {
  return [...portal.bots.values()].filter((bot) => !bot.deleted).sort((a, b) => a.botId - b.botId);
}

/**
 * The bot a v1 call acts for. An app acts for the first bot it registered (there is no `BOT_ID`
 * on most methods); a webhook must name the bot with `CLIENT_ID`: the `CLIENT_ID` it was
 * registered with, or a v2 bot's `botToken`.
 */
export function callingBot(context: CallContext, clientId: unknown, explicitBotId?: number): BotRecord {
  const bots = liveBots(context.portal);
  const { caller } = context;
  const own =
    caller.kind === 'oauth'
      ? bots.filter((bot) => bot.appClientId === caller.app.clientId)
      : bots.filter(
          (bot) =>
            text(clientId) !== '' && (bot.clientId === text(clientId) || bot.botToken === text(clientId)),
        );
  if (explicitBotId !== undefined && explicitBotId > 0) {
    const bot = own.find((candidate) => candidate.botId === explicitBotId);
    if (bot !== undefined) return bot;
    if (bots.some((candidate) => candidate.botId === explicitBotId)) {
      throw methodError('APP_ID_ERROR', 'The bot was registered by another application');
    }
    throw methodError('BOT_ID_ERROR', 'Bot not found');
  }
  const bot = own[0];
  if (bot === undefined) throw methodError('BOT_ID_ERROR', 'Bot not found');
  return bot;
}

/** The v2 rule: `botId` names the bot; an app must own it, a webhook must pass its `botToken`. */
export function ownedBotV2(context: CallContext): BotRecord {
  const botId = intval(context.params.botId);
  if (botId <= 0) throw methodError('BOT_ID_REQUIRED', 'botId is required');
  const bot = context.portal.bots.get(botId);
  if (bot === undefined || bot.deleted) throw methodError('BOT_NOT_FOUND', 'Bot not found');
  const { caller } = context;
  if (caller.kind === 'oauth') {
    if (bot.appClientId !== caller.app.clientId) {
      throw methodError('BOT_OWNERSHIP_ERROR', 'Bot is registered by another application');
    }
    return bot;
  }
  const token = text(context.params.botToken);
  if (token === '')
    throw methodError('BOT_TOKEN_NOT_SPECIFIED', 'botToken is required with webhook authorization');
  if (token !== bot.botToken && token !== bot.clientId)
    throw methodError('BOT_OWNERSHIP_ERROR', 'botToken does not match the bot');
  return bot;
}
