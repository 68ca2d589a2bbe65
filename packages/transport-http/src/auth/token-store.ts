/** One portal's OAuth tokens. */
export interface OAuthTokens {
  readonly accessToken: string;
  /** Rotates on every refresh: the previous one stops working. */
  readonly refreshToken: string;
  /** The portal's REST base, e.g. `https://example.bitrix24.com/rest/`. */
  readonly clientEndpoint: string;
  /** When the access token expires (ms since the epoch), if known. Informational: refresh happens on `401`. */
  readonly expiresAt?: number;
  /**
   * Set (ms since the epoch) just before a process sends `refreshToken` to the token endpoint. A
   * record that still carries it later is a refresh whose result never arrived here (a lost
   * answer, a killed worker, a failed write): its refresh token may be spent.
   */
  readonly refreshSentAt?: number;
  /**
   * Set (ms since the epoch) once the token endpoint refused `refreshToken` (`invalid_grant`):
   * every process then fails fast with `REFRESH_TOKEN_SPENT` until the record holds other tokens
   * (the next inbound event's, or a reinstall's).
   */
  readonly refreshSpentAt?: number;
}

/**
 * Where OAuth tokens live, per portal. `set` is how a rotated refresh token is persisted: make it
 * durable (a database, Redis) in production, and shared by every process **of every deployment
 * of the app**, because the previous refresh token stops working the moment a new one is issued.
 */
export interface OAuthTokenStore {
  get(portal: string): Promise<OAuthTokens | undefined>;
  set(portal: string, tokens: OAuthTokens): Promise<void>;
  /**
   * Optional, recommended for shared stores: writes `tokens` only if the stored record's refresh
   * token is `expectedRefreshToken` (`undefined`: only if nothing is stored), atomically, and
   * tells whether it wrote. Without it the transport reads, compares and then `set`s, which can
   * overwrite a record another process wrote in between.
   */
  compareAndSet?(
    portal: string,
    expectedRefreshToken: string | undefined,
    tokens: OAuthTokens,
  ): Promise<boolean>;
}

/**
 * Writes `next` if the stored record still holds `expectedRefreshToken`; `false` when the store
 * moved on. Uses the store's `compareAndSet` when it has one. Throws what the store throws.
 */
export async function replaceTokens(
  store: OAuthTokenStore,
  portal: string,
  expectedRefreshToken: string | undefined,
  next: OAuthTokens,
): Promise<boolean> {
  if (store.compareAndSet) return store.compareAndSet(portal, expectedRefreshToken, next);
  const stored = await store.get(portal);
  if (stored?.refreshToken !== expectedRefreshToken) return false;
  await store.set(portal, next);
  return true;
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
    compareAndSet: async (portal, expected, value) => {
      if (tokens.get(portal)?.refreshToken !== expected) return false;
      tokens.set(portal, value);
      return true;
    },
  };
}
