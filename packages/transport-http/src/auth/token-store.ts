/** One portal's OAuth tokens. */
export interface OAuthTokens {
  readonly accessToken: string;
  /** Rotates on every refresh: the previous one stops working. */
  readonly refreshToken: string;
  /** The portal's REST base, e.g. `https://example.bitrix24.com/rest/`. */
  readonly clientEndpoint: string;
  /** When the access token expires (ms since the epoch), if known. Informational: refresh happens on `401`. */
  readonly expiresAt?: number;
}

/**
 * Where OAuth tokens live, per portal. `set` is how a rotated refresh token is persisted: make it
 * durable (a database, Redis) in production, and shared by every process, because the previous
 * refresh token stops working the moment a new one is issued.
 */
export interface OAuthTokenStore {
  get(portal: string): Promise<OAuthTokens | undefined>;
  set(portal: string, tokens: OAuthTokens): Promise<void>;
}

/**
 * An in-process token store: the default for tests and single-process scripts.
 *
 * @example
 * const tokens = createMemoryTokenStore({ [memberId]: { accessToken, refreshToken, clientEndpoint } });
 */
export function createMemoryTokenStore(initial: Readonly<Record<string, OAuthTokens>> = {}): OAuthTokenStore {
  const tokens = new Map<string, OAuthTokens>(Object.entries(initial));
  return {
    get: async (portal) => tokens.get(portal),
    set: async (portal, value) => {
      tokens.set(portal, value);
    },
  };
}
