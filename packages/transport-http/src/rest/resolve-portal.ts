import { describeZodIssues } from '@baton/core/adapter';
import {
  type BotSettings,
  lookUpPortal,
  type PortalSettings,
  portalSettingsSchema,
} from '../auth/portal-settings.js';
import type { OAuthTokens } from '../auth/token-store.js';
import { BitrixError } from '../errors.js';
import type { ClientSettings } from './client-options.js';
import type { RestParams } from './encode-params.js';

/** Where one request goes and what it carries; `accessToken` is set for OAuth. */
export interface BuiltRequest {
  readonly url: string;
  readonly params: RestParams;
  readonly accessToken?: string;
}

/** A portal whose settings were found and validated. */
export interface ResolvedPortal {
  readonly portal: string;
  readonly authType: PortalSettings['auth']['type'];
  readonly bot: BotSettings;
  /**
   * The v2 `botToken` to send: the bot's `token`, or with webhook auth its `clientId` (which is
   * what a webhook-registered bot's token is). OAuth calls need none.
   */
  readonly botToken: string | undefined;
  /** Builds the URL and parameters of one request, reading the current OAuth tokens. */
  buildRequest(method: string, params: RestParams): Promise<BuiltRequest | BitrixError>;
}

/** How OAuth requests read their tokens: through the token keeper, failing fast on a spent token. */
export interface OAuthAccess {
  read(portal: string): Promise<OAuthTokens | undefined>;
  checkSpent(portal: string, tokens: OAuthTokens): BitrixError | undefined;
}

/** Finds and validates a portal's settings. */
export async function resolvePortal(
  settings: ClientSettings,
  portal: string,
  access?: OAuthAccess,
): Promise<ResolvedPortal | BitrixError> {
  let found: unknown;
  try {
    found = await lookUpPortal(settings.portals, portal);
  } catch (cause) {
    return new BitrixError(
      'UNKNOWN_PORTAL',
      `Looking up portal ${portal} failed`,
      { portal, retryable: true },
      cause,
    );
  }
  if (found === undefined) {
    return new BitrixError('UNKNOWN_PORTAL', `No settings are known for portal ${portal}`, { portal });
  }
  const parsed = portalSettingsSchema.safeParse(found);
  if (!parsed.success) {
    const issues = describeZodIssues(parsed.error);
    return new BitrixError('INVALID_INPUT', `Invalid settings for portal ${portal}: ${issues.join('; ')}`, {
      portal,
      issues,
    });
  }
  const { auth, bot } = parsed.data;
  const botSettings = bot as BotSettings;
  if (auth.type === 'webhook') {
    return {
      portal,
      authType: 'webhook',
      bot: botSettings,
      botToken: botSettings.token ?? botSettings.clientId,
      buildRequest: async (method, params) => ({ url: `${auth.url}${method}.json`, params }),
    };
  }
  const oauth = settings.oauth;
  if (!oauth) {
    return new BitrixError(
      'INVALID_INPUT',
      `Portal ${portal} uses OAuth but the transport has no oauth options`,
      {
        portal,
      },
    );
  }
  return {
    portal,
    authType: 'oauth',
    bot: botSettings,
    botToken: botSettings.token,
    async buildRequest(method, params) {
      const tokens = access ? await access.read(portal) : await oauth.tokens.get(portal);
      if (!tokens)
        return new BitrixError('UNKNOWN_PORTAL', `No OAuth tokens are stored for portal ${portal}`, {
          portal,
          method,
        });
      const spent = access?.checkSpent(portal, tokens);
      if (spent) return spent;
      return {
        url: `${tokens.clientEndpoint}${method}`,
        params: { ...params, auth: tokens.accessToken },
        accessToken: tokens.accessToken,
      };
    },
  };
}
