import { createCounter } from './clock.js';

/** An incoming webhook: calls on its URL act as `userId` of the portal. */
export interface WebhookGrant {
  readonly memberId: string;
  readonly userId: number;
  readonly secret: string;
}

/** One issued OAuth access token. */
export interface AccessGrant {
  readonly memberId: string;
  readonly clientId: string;
  readonly token: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  expired: boolean;
}

export interface RefreshGrant {
  readonly memberId: string;
  readonly clientId: string;
  readonly token: string;
  /** The access token issued with this refresh token: a refresh with it invalidates that one too. */
  readonly accessToken: string;
  used: boolean;
}

/** A freshly issued access/refresh pair. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
}

export type AccessCheck =
  | { readonly ok: true; readonly grant: AccessGrant }
  | { readonly ok: false; readonly reason: 'invalid_token' | 'expired_token'; readonly memberId?: string };

/**
 * Every credential the emulator issued, across portals: a request names its portal only through
 * its webhook secret or access token, as on the platform.
 */
export interface CredentialStore {
  addWebhook(memberId: string, userId: number): WebhookGrant;
  webhook(secret: string): WebhookGrant | undefined;
  issueTokens(memberId: string, clientId: string): TokenPair;
  checkAccess(token: string, nowMs: number): AccessCheck;
  /** The refresh token's grant, used or not; `undefined` when never issued. */
  peekRefresh(token: string): RefreshGrant | undefined;
  /**
   * Consumes a refresh token: `undefined` when unknown or already used. The access token issued
   * with it stops working too, as on the platform.
   */
  consumeRefresh(token: string): RefreshGrant | undefined;
  expireAccessTokens(memberId: string): void;
}

export function createCredentialStore(accessTokenTtlMs: number): CredentialStore {
  // Deterministic, but distinct per kind, so a leaked value in a test failure says what it is.
  const webhookIds = createCounter(1);
  const tokenIds = createCounter(1);
  const webhooks = new Map<string, WebhookGrant>();
  const access = new Map<string, AccessGrant>();
  const refresh = new Map<string, RefreshGrant>();
  return {
    addWebhook(memberId, userId) {
      const grant = { memberId, userId, secret: `whsecret${String(webhookIds.next()).padStart(4, '0')}` };
      webhooks.set(grant.secret, grant);
      return grant;
    },
    webhook: (secret) => webhooks.get(secret),
    issueTokens(memberId, clientId) {
      const n = tokenIds.next();
      const expiresAt = Date.now() + accessTokenTtlMs;
      const accessToken = `access${String(n).padStart(6, '0')}`;
      const refreshToken = `refresh${String(n).padStart(6, '0')}`;
      access.set(accessToken, { memberId, clientId, token: accessToken, expiresAt, expired: false });
      refresh.set(refreshToken, { memberId, clientId, token: refreshToken, accessToken, used: false });
      return { accessToken, refreshToken, expiresAt };
    },
    checkAccess(token, nowMs) {
      const grant = access.get(token);
      if (grant === undefined) return { ok: false, reason: 'invalid_token' };
      if (grant.expired || grant.expiresAt <= nowMs) {
        return { ok: false, reason: 'expired_token', memberId: grant.memberId };
      }
      return { ok: true, grant };
    },
    peekRefresh: (token) => refresh.get(token),
    consumeRefresh(token) {
      const grant = refresh.get(token);
      if (grant === undefined || grant.used) return undefined;
      grant.used = true;
      const issuedWith = access.get(grant.accessToken);
      if (issuedWith !== undefined) issuedWith.expired = true;
      return grant;
    },
    expireAccessTokens(memberId) {
      for (const grant of access.values()) if (grant.memberId === memberId) grant.expired = true;
    },
  };
}
