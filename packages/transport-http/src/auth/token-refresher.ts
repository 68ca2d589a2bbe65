import type { LockManager } from '@baton/core';
import { sleep } from '@baton/core/adapter';
import { BitrixError } from '../errors.js';
import type { FetchFunction } from '../rest/send-request.js';
import { type AuthEventListener, emitAuthEvent } from './auth-events.js';
import type { TokenKeeper } from './token-keeper.js';
import { requestTokens } from './token-request.js';
import { type OAuthTokenStore, type OAuthTokens, replaceTokens } from './token-store.js';

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
  /** Reads the current tokens and keeps rotated ones until the store has them. */
  readonly keeper: TokenKeeper;
  readonly locks: LockManager;
  readonly fetch: FetchFunction;
  /** Takes a rate-limit grant for the refresh request (it counts against the portal's budget). */
  readonly takeGrant: (portal: string, signal: AbortSignal | undefined) => Promise<BitrixError | undefined>;
  readonly timeoutMs: number;
  /** How long a refresh may hold the cross-process lock. */
  readonly lockTtlMs: number;
  /** How often a process that did not get the lock looks for the new tokens. */
  readonly waitPollMs: number;
  /** Told when a portal's access is lost. */
  readonly onAuthEvent?: AuthEventListener | undefined;
  /** The clock. @defaultValue `Date.now` */
  readonly now?: () => number;
  /** Waits between looks at a taken lock. @defaultValue a timer */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

type Reason = 'unfinished-refresh' | 'spent-elsewhere';

/**
 * Refreshes OAuth tokens single-flight: one in-flight refresh per portal in this process (shared
 * promise), and one across processes (a `LockManager` lock). A process that finds the lock taken
 * waits for the new tokens to appear in the store instead of burning the same refresh token.
 *
 * A refresh token the token endpoint refused (`invalid_grant`) is remembered, in this process and
 * in the store's record (`refreshSpentAt`): calls then fail fast with `REFRESH_TOKEN_SPENT`, with
 * no request, until the store holds other tokens.
 */
export function createTokenRefresher(deps: TokenRefresherDeps) {
  const inFlight = new Map<string, Promise<OAuthTokens | BitrixError>>();
  /** The refresh token found spent, by portal: fail fast while the store still holds it. */
  const spentHere = new Map<string, string>();
  const now = deps.now ?? Date.now;
  const pause = deps.sleep ?? sleep;

  const error = (code: string, portal: string, message: string, retryable: boolean, status?: number) =>
    new BitrixError(code, `OAuth refresh on ${portal}: ${message}`, {
      portal,
      method: 'oauth.token',
      retryable,
      ...(status === undefined ? {} : { status }),
    });

  const spentError = (portal: string, reason: Reason | undefined) =>
    error(
      'REFRESH_TOKEN_SPENT',
      portal,
      `the refresh token is spent${reason === undefined ? '' : ` (${reason})`}; access comes back with the portal's next event or a reinstall of the app`,
      false,
    );

  /** Whether these tokens' refresh token is known to be spent. */
  const isSpent = (portal: string, tokens: OAuthTokens) =>
    tokens.refreshSpentAt !== undefined || spentHere.get(portal) === tokens.refreshToken;

  /** Remembers a spent token here and in the store (unless the store moved on), and tells the operator. */
  async function markSpent(portal: string, tokens: OAuthTokens, reason: Reason): Promise<BitrixError> {
    const spent = spentError(portal, reason);
    const firstHere = spentHere.get(portal) !== tokens.refreshToken;
    spentHere.set(portal, tokens.refreshToken);
    try {
      await replaceTokens(deps.app.tokens, portal, tokens.refreshToken, { ...tokens, refreshSpentAt: now() });
    } catch {
      // The mark in this process still holds; other processes learn it from their own refusal.
    }
    if (firstHere) emitAuthEvent(deps.onAuthEvent, { type: 'auth.lost', portal, reason, error: spent });
    return spent;
  }

  /** Posts the refresh token under the lock, with no caller's signal: once sent, it must finish. */
  async function rotate(portal: string, current: OAuthTokens): Promise<OAuthTokens | BitrixError> {
    const sentBefore = current.refreshSentAt !== undefined;
    try {
      await replaceTokens(deps.app.tokens, portal, current.refreshToken, {
        ...current,
        refreshSentAt: now(),
      });
    } catch {
      // Only the diagnosis of a later refusal suffers; the refresh itself goes on.
    }
    const outcome = await requestTokens({
      fetch: deps.fetch,
      tokenUrl: deps.app.tokenUrl,
      clientId: deps.app.clientId,
      clientSecret: deps.app.clientSecret,
      current,
      timeoutMs: refreshTimeoutMs(deps),
      now,
    });
    switch (outcome.kind) {
      case 'rotated':
        // Kept in memory first: the old refresh token is dead, and the store may fail.
        await deps.keeper.save(portal, outcome.tokens, current.refreshToken);
        return outcome.tokens;
      case 'spent':
        return markSpent(portal, current, sentBefore ? 'unfinished-refresh' : 'spent-elsewhere');
      case 'unknown':
        return error(
          'REFRESH_OUTCOME_UNKNOWN',
          portal,
          `${outcome.detail}; the refresh token may be spent`,
          true,
          outcome.status,
        );
      case 'failed':
        return error(
          'REFRESH_FAILED',
          portal,
          outcome.detail,
          (outcome.status ?? 500) >= 500,
          outcome.status,
        );
    }
  }

  /**
   * One refresh for every process: the lock holder refreshes, the others wait for the new tokens
   * to appear in the store. Never aborted by a caller (see `refresh`). The rate-limit grant is
   * taken before the lock, so that the lock is held only for the request, whose timeout is
   * shorter than the lease: a lock never lapses while a refresh token is in flight.
   *
   * A waiter gives up one lease (plus one poll) after it first saw the lock taken, which is when
   * the lease it saw has ended at the latest, and tries once more before it does.
   */
  async function refreshAcrossProcesses(portal: string, staleAccessToken: string) {
    let granted = false;
    let giveUpAt: number | undefined;
    let lastTry = false;
    for (;;) {
      const current = await deps.keeper.read(portal);
      if (!current) return error('REFRESH_FAILED', portal, 'no tokens are stored for this portal', false);
      if (current.accessToken !== staleAccessToken) return current; // another process refreshed already
      if (isSpent(portal, current)) return spentError(portal, undefined);
      if (!granted) {
        const refused = await deps.takeGrant(portal, undefined);
        if (refused) return refused;
        granted = true;
        continue; // the wait for the grant may have been long: look at the store again
      }
      const lock = await deps.locks.tryAcquire(`baton:oauth-refresh:${portal}`, deps.lockTtlMs);
      if (lock) {
        try {
          const latest = (await deps.keeper.read(portal)) ?? current;
          if (latest.accessToken !== staleAccessToken) return latest;
          if (isSpent(portal, latest)) return spentError(portal, undefined);
          return await rotate(portal, latest);
        } finally {
          await lock.release();
        }
      }
      if (lastTry) {
        return error(
          'REFRESH_FAILED',
          portal,
          'another process held the refresh lock for a whole lease',
          true,
        );
      }
      giveUpAt ??= now() + deps.lockTtlMs + deps.waitPollMs;
      if (now() >= giveUpAt) {
        lastTry = true;
        continue;
      }
      await pause(deps.waitPollMs);
    }
  }

  return {
    /**
     * Returns tokens newer than `staleAccessToken`, refreshing them if nobody has yet. Concurrent
     * callers for one portal share one refresh. A caller's `signal` only ends that caller's wait
     * (with `ABORTED`): the shared refresh goes on for the others and still keeps the rotated
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
          .catch(
            (cause: unknown) =>
              new BitrixError(
                'REFRESH_FAILED',
                `OAuth refresh on ${portal}: the token store or lock failed`,
                { portal, method: 'oauth.token', retryable: true },
                cause,
              ),
          )
          .finally(() => inFlight.delete(portal));
        inFlight.set(portal, started);
        running = started;
      }
      return untilAborted(running, signal, () => aborted(portal));
    },

    /**
     * `REFRESH_TOKEN_SPENT` when `tokens` hold a refresh token known to be spent (their access
     * token was refused before that refresh, so a call with it would fail too), else `undefined`.
     */
    checkSpent(portal: string, tokens: OAuthTokens): BitrixError | undefined {
      return isSpent(portal, tokens) ? spentError(portal, undefined) : undefined;
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
