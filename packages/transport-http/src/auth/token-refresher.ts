import type { LockManager } from '@baton/core';
import { z } from 'zod';
import { BitrixError } from '../errors.js';
import type { FetchFunction } from '../rest/send-request.js';
import { sleep } from '../rest/sleep.js';
import type { OAuthTokenStore, OAuthTokens } from './token-store.js';

/** An OAuth application's keys and where its tokens live. */
export interface OAuthAppSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The OAuth server's token endpoint. */
  readonly tokenUrl: string;
  readonly tokens: OAuthTokenStore;
}

/** What the refresher needs from the transport around it. */
export interface TokenRefresherDeps {
  readonly app: OAuthAppSettings;
  readonly locks: LockManager;
  readonly fetch: FetchFunction;
  /** Takes a rate-limit grant for the refresh request (it counts against the portal's budget). */
  readonly takeGrant: (portal: string, signal: AbortSignal | undefined) => Promise<BitrixError | undefined>;
  readonly timeoutMs: number;
  /** How long a refresh may hold the cross-process lock. */
  readonly lockTtlMs: number;
  /** How often a process that did not get the lock looks for the new tokens. */
  readonly waitPollMs: number;
}

const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  client_endpoint: z.string().min(1).optional(),
});
const tokenErrorSchema = z.object({ error: z.string().min(1).max(200) });

/**
 * Refreshes OAuth tokens single-flight: one in-flight refresh per portal in this process (shared
 * promise), and one across processes (a `LockManager` lock). A process that finds the lock taken
 * waits for the new tokens to appear in the store instead of burning the same refresh token.
 */
export function createTokenRefresher(deps: TokenRefresherDeps) {
  const inFlight = new Map<string, Promise<OAuthTokens | BitrixError>>();

  const fail = (portal: string, message: string, retryable: boolean, status?: number, cause?: unknown) =>
    new BitrixError(
      'REFRESH_FAILED',
      `OAuth refresh on ${portal}: ${message}`,
      { portal, method: 'oauth.token', retryable, ...(status === undefined ? {} : { status }) },
      cause,
    );

  /** Posts the refresh token. Runs under the lock, with no caller's signal: once sent, it must finish. */
  async function requestNewTokens(portal: string, current: OAuthTokens) {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: deps.app.clientId,
      client_secret: deps.app.clientSecret,
      refresh_token: current.refreshToken,
    });
    let response: Response;
    let text: string;
    try {
      response = await deps.fetch(deps.app.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(refreshTimeoutMs(deps)),
      });
      text = await response.text();
    } catch {
      // The cause is dropped on purpose: a fetch error can quote the request, which holds secrets.
      return fail(portal, 'the token endpoint could not be reached', true);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail(
        portal,
        `HTTP ${response.status} with a body that is not JSON`,
        response.status >= 500,
        response.status,
      );
    }
    const answer = tokenAnswerSchema.safeParse(json);
    if (!answer.success) {
      const error = tokenErrorSchema.safeParse(json);
      const code = error.success ? error.data.error : 'unexpected answer';
      return fail(
        portal,
        `the token endpoint answered ${code} (HTTP ${response.status})`,
        response.status >= 500,
        response.status,
      );
    }
    const { access_token, refresh_token, expires_in, client_endpoint } = answer.data;
    const tokens: OAuthTokens = {
      accessToken: access_token,
      refreshToken: refresh_token,
      clientEndpoint: client_endpoint ?? current.clientEndpoint,
      ...(expires_in === undefined ? {} : { expiresAt: Date.now() + expires_in * 1000 }),
    };
    // Persist before anyone uses the new access token: the old refresh token is already dead.
    await deps.app.tokens.set(portal, tokens);
    return tokens;
  }

  /**
   * One refresh for every process: the lock holder refreshes, the others wait for the new tokens
   * to appear in the store. Never aborted by a caller (see `refresh`). The rate-limit grant is
   * taken before the lock, so that the lock is held only for the request, whose timeout is
   * shorter than the lease: a lock never lapses while a refresh token is in flight.
   */
  async function refreshAcrossProcesses(portal: string, staleAccessToken: string) {
    let giveUpAt: number | undefined;
    for (;;) {
      const current = await deps.app.tokens.get(portal);
      if (!current) return fail(portal, 'no tokens are stored for this portal', false);
      if (current.accessToken !== staleAccessToken) return current; // another process refreshed already
      if (giveUpAt === undefined) {
        const refused = await deps.takeGrant(portal, undefined);
        if (refused) return refused;
        giveUpAt = Date.now() + deps.lockTtlMs;
        continue; // the wait for the grant may have been long: look at the store again
      }
      const lock = await deps.locks.tryAcquire(`baton:oauth-refresh:${portal}`, deps.lockTtlMs);
      if (lock) {
        try {
          const latest = await deps.app.tokens.get(portal);
          if (latest && latest.accessToken !== staleAccessToken) return latest;
          return await requestNewTokens(portal, latest ?? current);
        } finally {
          await lock.release();
        }
      }
      if (Date.now() >= giveUpAt) return fail(portal, 'another process holds the refresh lock', true);
      await sleep(deps.waitPollMs);
    }
  }

  return {
    /**
     * Returns tokens newer than `staleAccessToken`, refreshing them if nobody has yet. Concurrent
     * callers for one portal share one refresh. A caller's `signal` only ends that caller's wait
     * (with `ABORTED`): the shared refresh goes on for the others and still persists the rotated
     * token, because the one it replaces may already be spent.
     */
    refresh(
      portal: string,
      staleAccessToken: string,
      signal?: AbortSignal,
    ): Promise<OAuthTokens | BitrixError> {
      let running = inFlight.get(portal);
      if (!running) {
        const started = refreshAcrossProcesses(portal, staleAccessToken)
          .catch((cause: unknown) => fail(portal, 'the token store or lock failed', true, undefined, cause))
          .finally(() => inFlight.delete(portal));
        inFlight.set(portal, started);
        running = started;
      }
      return untilAborted(running, signal, () => aborted(portal));
    },
  };
}

/** How long the refresh request may take: within the lock's lease, which must outlive it. */
function refreshTimeoutMs(deps: TokenRefresherDeps): number {
  return Math.max(1, Math.min(deps.timeoutMs, Math.floor(deps.lockTtlMs * 0.8)));
}

function aborted(portal: string): BitrixError {
  return new BitrixError('ABORTED', `OAuth refresh on ${portal}: aborted`, {
    portal,
    method: 'oauth.token',
    retryable: false,
  });
}

/** Settles with `work`, or earlier with `onAbort()` when `signal` fires; `work` itself goes on. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort: () => T): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(onAbort());
  return new Promise<T>((resolve) => {
    const stop = () => resolve(onAbort());
    signal.addEventListener('abort', stop, { once: true });
    void work.then((value) => {
      signal.removeEventListener('abort', stop);
      resolve(value);
    });
  });
}

/** The refresher's public shape. */
export type TokenRefresher = ReturnType<typeof createTokenRefresher>;
