import { z } from 'zod';

/** How requests to one portal are authenticated. */
export type PortalAuth =
  /**
   * An incoming webhook: `url` is its base, `https://{portal}/rest/{user_id}/{secret}/`. The URL
   * is a secret and is never written into an error message.
   */
  | { readonly type: 'webhook'; readonly url: string }
  /** An OAuth application: tokens come from the transport's `oauth.tokens` store. */
  | { readonly type: 'oauth' };

/** The bot Baton speaks for on a portal. */
export interface BotSettings {
  /** The bot's id (`BOT_ID` / `botId`). */
  readonly id: number;
  /**
   * The `CLIENT_ID` the bot was registered with (v1), sent with every call made through an
   * incoming webhook. Not needed with OAuth.
   */
  readonly clientId?: string;
  /**
   * The v2 `botToken`, sent with v2 calls when set. Without a `clientId`, webhook calls of the v1
   * Open Lines methods (transfer, operator, finish) send it as `CLIENT_ID`, which the platform
   * accepts from a v2 bot.
   */
  readonly token?: string;
  /**
   * Which bot API removes the bot and sends its messages: `v1` (`imbot.chat.leave`,
   * `imbot.message.add`) or `v2` (`imbot.v2.Chat.leave`, `imbot.v2.Chat.Message.send`).
   * @defaultValue 'v1'
   */
  readonly api?: 'v1' | 'v2';
}

/** Everything the transport needs to know about one portal. */
export interface PortalSettings {
  readonly auth: PortalAuth;
  readonly bot: BotSettings;
}

/**
 * Where the transport finds a portal's settings: a fixed map keyed by portal (`member_id`), or a
 * function (for example, reading from your database). `undefined` means "unknown portal".
 */
export type PortalDirectory =
  | Readonly<Record<string, PortalSettings>>
  | ((portal: string) => PortalSettings | undefined | Promise<PortalSettings | undefined>);

/** Validates one portal's settings. */
export const portalSettingsSchema = z.object({
  auth: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('webhook'),
      url: z.url({ protocol: /^https?$/ }).refine((url) => url.endsWith('/'), 'a webhook URL ends with "/"'),
    }),
    z.object({ type: z.literal('oauth') }),
  ]),
  bot: z.object({
    id: z.number().int().positive(),
    clientId: z.string().min(1).max(255).optional(),
    token: z.string().min(1).max(255).optional(),
    api: z.enum(['v1', 'v2']).optional(),
  }),
});

/** Looks a portal up in a directory; the answer still has to be validated. */
export async function lookUpPortal(directory: PortalDirectory, portal: string): Promise<unknown> {
  if (typeof directory === 'function') return directory(portal);
  return Object.hasOwn(directory, portal) ? directory[portal] : undefined;
}
