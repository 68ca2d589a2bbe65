import { type OAuthTokenStore, type OAuthTokens, replaceTokens } from './token-store.js';

/** What became of a token pair offered by an inbound event. */
export type AdoptOutcome = 'adopted' | 'older' | 'raced';

/**
 * Stores `offered` for `portal` unless the store holds tokens at least as new (by access token
 * expiry, to the second) that are not known spent. Written by compare-and-set, so a concurrent
 * rotation is never overwritten (`raced`). Throws what the store throws.
 */
export async function adoptTokens(
  store: OAuthTokenStore,
  portal: string,
  offered: OAuthTokens,
): Promise<AdoptOutcome> {
  const stored = await store.get(portal);
  if (stored && !isNewer(offered, stored)) return 'older';
  return (await replaceTokens(store, portal, stored?.refreshToken, offered)) ? 'adopted' : 'raced';
}

function isNewer(offered: OAuthTokens, stored: OAuthTokens): boolean {
  if (offered.refreshToken === stored.refreshToken) return false;
  if (stored.refreshSpentAt !== undefined || stored.expiresAt === undefined) return true;
  if (offered.expiresAt === undefined) return false;
  return Math.floor(offered.expiresAt / 1000) >= Math.floor(stored.expiresAt / 1000);
}
