import { z } from 'zod';
import { type AdoptOutcome, adoptTokens } from '../auth/adopt-tokens.js';
import type { OAuthTokenStore, OAuthTokens } from '../auth/token-store.js';
import { BitrixError } from '../errors.js';

/** Where the OAuth token pair of each verified inbound event goes (see `EventHandlerOptions`). */
export interface EventTokenOptions {
  /** The transport's `oauth.tokens` store. Unset: events' tokens are not read. */
  readonly oauthTokens?: OAuthTokenStore;
  /**
   * Store the token pair a verified event carries when it is newer than the stored one, so that
   * a portal whose refresh token died comes back with its next event.
   * @defaultValue true (when `oauthTokens` is set)
   */
  readonly adoptEventTokens?: boolean;
}

const secret = z.string().min(1).max(1_000);
const seconds = z.coerce.number().int().positive().max(1e11);

/** The `auth` block of a v1 or v2 event, as far as tokens go. */
const eventAuthSchema = z.object({
  access_token: secret,
  refresh_token: secret,
  expires: seconds.optional(),
  expires_in: seconds.optional(),
  client_endpoint: z.url({ protocol: /^https?$/ }).refine((url) => url.endsWith('/'), 'ends with "/"'),
});

/** Reads the token pair of an event's `auth` block; `undefined` when it carries none (or a malformed one). */
export function readEventTokens(
  raw: Readonly<Record<string, unknown>>,
  now: number,
): OAuthTokens | undefined {
  const parsed = eventAuthSchema.safeParse(raw.auth);
  if (!parsed.success) return undefined;
  const { access_token, refresh_token, expires, expires_in, client_endpoint } = parsed.data;
  const expiresAt =
    expires !== undefined ? expires * 1000 : expires_in !== undefined ? now + expires_in * 1000 : undefined;
  return {
    accessToken: access_token,
    refreshToken: refresh_token,
    clientEndpoint: client_endpoint,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/**
 * Hands a verified event's token pair to the token store. Call only after the application token
 * checked out. Never throws: a store failure goes to `onError` as `UNEXPECTED` and the event is
 * handled as usual.
 */
export async function offerEventTokens(
  options: EventTokenOptions,
  portal: string,
  raw: Readonly<Record<string, unknown>>,
  onError: ((error: BitrixError) => void) | undefined,
): Promise<AdoptOutcome | undefined> {
  if (!options.oauthTokens || options.adoptEventTokens === false) return undefined;
  const tokens = readEventTokens(raw, Date.now());
  if (!tokens) return undefined;
  try {
    return await adoptTokens(options.oauthTokens, portal, tokens);
  } catch (cause) {
    onError?.(
      new BitrixError(
        'UNEXPECTED',
        `Storing the tokens of an event of ${portal} failed`,
        { portal, retryable: true },
        cause,
      ),
    );
    return undefined;
  }
}
