import {
  createMemoryLockManager,
  createMemoryRateLimiter,
  defaultRateLimit,
  type LockManager,
  type RateLimiter,
  withHeadroom,
} from '@baton/core';
import { sleep } from '@baton/core/adapter';
import { createTokenKeeper } from '../auth/token-keeper.js';
import { createTokenRefresher } from '../auth/token-refresher.js';
import { BitrixError } from '../errors.js';
import { logCall, loggedAuthEvents, traceRequest } from './call-log.js';
import { type BitrixClientOptions, type ClientSettings, resolveClientOptions } from './client-options.js';
import { encodeParams, type RestParams } from './encode-params.js';
import { createOperatingResets } from './operating-resets.js';
import { takeGrant } from './rate-grant.js';
import { type ResolvedPortal, resolvePortal } from './resolve-portal.js';
import { sendRequest } from './send-request.js';

/** A REST call's outcome: the envelope's `result`, or a `BitrixError` as a value. */
export type RestResult =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: BitrixError };

/** Options of one REST call. */
export interface RestCallOptions {
  /** Aborts the call, including any wait for the rate limiter or an operating limit. */
  readonly signal?: AbortSignal;
}

/** A multi-portal Bitrix24 REST client with auth, rate limiting and retries. */
export interface BitrixClient {
  /**
   * Calls `method` on `portal` with one attempt: the client does not retry (the engine decides
   * whether a call is made again). Two exceptions, each at most once per call: an expired OAuth
   * token is refreshed and the call replayed, and an `OPERATION_TIME_LIMIT` whose method unblocks
   * within `maxOperatingWaitMs` is waited out and sent again. Takes one rate-limit grant per HTTP
   * request (refreshes included). Never throws: failures are values.
   */
  call(portal: string, method: string, params: RestParams, options?: RestCallOptions): Promise<RestResult>;
  /** The validated settings of a portal (its bot, its auth kind), or the error saying why not. */
  portal(portal: string): Promise<ResolvedPortal | BitrixError>;
  /**
   * The locks this client refreshes tokens under: the `lockManager` option, or the in-process one
   * it created. Fetch pollers on this client use it unless given their own.
   */
  readonly lockManager: LockManager;
  /** The limiter every request of this client is granted by: the `rateLimiter` option, or the in-process one it created. */
  readonly rateLimiter: RateLimiter;
  /** Closes the limiter and lock manager this client created itself (not the ones passed in). Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates the REST client underneath `createBitrixTransport`; use it directly for methods the
 * transport does not wrap.
 *
 * @example
 * const client = createBitrixClient({ portals: { [memberId]: { auth: { type: 'webhook', url }, bot: { id: 7 } } } });
 * const answer = await client.call(memberId, 'imopenlines.dialog.get', { CHAT_ID: 42 });
 */
export function createBitrixClient(options: BitrixClientOptions): BitrixClient {
  const settings: ClientSettings = resolveClientOptions(options);
  const ownsLimiter = options.rateLimiter === undefined;
  const ownsLocks = options.lockManager === undefined;
  const limiter: RateLimiter =
    options.rateLimiter ?? createMemoryRateLimiter({ limit: withHeadroom(defaultRateLimit) });
  const locks: LockManager = options.lockManager ?? createMemoryLockManager();
  const operatingResets = createOperatingResets();
  let closed = false;

  const grant = (portal: string, method: string, signal: AbortSignal | undefined) =>
    takeGrant({
      limiter,
      portal,
      method,
      signal,
      now: Date.now,
      waitUntil: Date.now() + settings.maxRateLimitWaitMs,
    });

  const onAuthEvent = loggedAuthEvents(settings.onAuthEvent, settings.logger);
  const keeper = settings.oauth ? createTokenKeeper(settings.oauth.tokens, onAuthEvent) : undefined;
  const refresher =
    settings.oauth && keeper
      ? createTokenRefresher({
          app: settings.oauth,
          keeper,
          onAuthEvent,
          locks,
          fetch: settings.fetch,
          takeGrant: (portal, signal) => grant(portal, 'oauth.token', signal),
          timeoutMs: settings.timeoutMs,
          lockTtlMs: settings.refreshLockTtlMs,
          waitPollMs: settings.refreshWaitPollMs,
        })
      : undefined;
  const access = keeper && refresher ? { read: keeper.read, checkSpent: refresher.checkSpent } : undefined;

  /** One HTTP request: a grant, the current credentials, the call. Names the access token it used. */
  async function attempt(
    target: ResolvedPortal,
    method: string,
    params: RestParams,
    signal?: AbortSignal,
  ): Promise<AttemptOutcome> {
    const refused = await grant(target.portal, method, signal);
    if (refused) return { ok: false, error: refused, accessToken: undefined };
    const request = await target.buildRequest(method, params);
    if (request instanceof BitrixError) return { ok: false, error: request, accessToken: undefined };
    const answer = await traceRequest(target.portal, method, () =>
      sendRequest({
        fetch: settings.fetch,
        url: request.url,
        body: encodeParams(request.params),
        method,
        portal: target.portal,
        timeoutMs: settings.timeoutMs,
        signal,
        now: Date.now,
      }),
    );
    if (answer instanceof BitrixError) {
      const error = operatingResets.complete(answer, Date.now());
      return { ok: false, error, accessToken: request.accessToken };
    }
    if (answer.operatingResetAtMs !== undefined) {
      operatingResets.remember(target.portal, method, answer.operatingResetAtMs);
    }
    return { ok: true, result: answer.result };
  }

  async function call(portal: string, method: string, params: RestParams, callOptions: RestCallOptions = {}) {
    const startedAt = Date.now();
    let result: RestResult;
    try {
      result = await callUnguarded(portal, method, params, callOptions);
    } catch (cause) {
      const message = `${method} on ${portal}: a pluggable part (token store, portal directory, limiter) failed`;
      // Those parts are consulted before a request is sent (or after one refused before running).
      result = failed(
        new BitrixError('UNEXPECTED', message, { portal, method, retryable: true, sent: false }, cause),
      );
    }
    logCall(settings.logger, { portal, method, startedAt }, result.ok ? undefined : result.error);
    return result;
  }

  async function callUnguarded(
    portal: string,
    method: string,
    params: RestParams,
    callOptions: RestCallOptions,
  ) {
    if (closed)
      return failed(
        new BitrixError('CLOSED', `${method} on ${portal}: the transport is closed`, { portal, method }),
      );
    const target = await resolvePortal(settings, portal, access);
    if (target instanceof BitrixError) return failed(target);
    let refreshed = false;
    let waitedOperatingLimit = false;
    for (;;) {
      const outcome = await attempt(target, method, params, callOptions.signal);
      if (outcome.ok) return outcome;
      const { error } = outcome;
      if (isExpiredToken(error) && refresher && outcome.accessToken !== undefined && !refreshed) {
        refreshed = true; // exactly one refresh and one replay per call
        const renewed = await refresher.refresh(portal, outcome.accessToken, callOptions.signal);
        if (renewed instanceof BitrixError) return failed(renewed);
        continue;
      }
      if (error.code === 'QUERY_LIMIT_EXCEEDED') {
        // Someone else shares this portal's bucket: make every caller of the portal back off.
        await limiter.penalize(portal, settings.queryLimitPenaltyMs).catch(() => undefined);
        return failed(error);
      }
      const operatingWait = error.code === 'OPERATION_TIME_LIMIT' ? error.context.retryAfterMs : undefined;
      if (
        waitedOperatingLimit ||
        operatingWait === undefined ||
        operatingWait > settings.maxOperatingWaitMs
      ) {
        return failed(error);
      }
      // The method unblocks soon and the request did not run: wait once, then send it again.
      waitedOperatingLimit = true;
      if (!(await sleep(operatingWait, callOptions.signal))) {
        return failed(
          new BitrixError('ABORTED', `${method} on ${portal}: aborted`, { portal, method, sent: false }),
        );
      }
    }
  }

  return {
    call,
    portal: (portal) => resolvePortal(settings, portal, access),
    lockManager: locks,
    rateLimiter: limiter,
    async close() {
      if (closed) return;
      closed = true;
      keeper?.close();
      if (ownsLimiter) await limiter.close();
      if (ownsLocks) await locks.close();
    },
  };
}

type AttemptOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: BitrixError; readonly accessToken: string | undefined };

function failed(error: BitrixError): RestResult {
  return { ok: false, error };
}

function isExpiredToken(error: BitrixError): boolean {
  return error.context.status === 401 && (error.code === 'expired_token' || error.code === 'invalid_token');
}
