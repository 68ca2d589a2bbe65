import type { LockManager, Logger, RateLimiter } from '@baton/core';
import { loggerSchema, parseOrThrow } from '@baton/core/adapter';
import { z } from 'zod';
import type { AuthEventListener } from '../auth/auth-events.js';
import type { PortalDirectory } from '../auth/portal-settings.js';
import type { OAuthAppSettings } from '../auth/token-refresher.js';
import type { OAuthTokenStore } from '../auth/token-store.js';
import { invalidInputError } from '../errors.js';
import type { FetchFunction } from './send-request.js';

/** The OAuth server of the cloud platform. */
export const defaultOAuthTokenUrl = 'https://oauth.bitrix.info/oauth/token/';

/** Options of `createBitrixClient` (and of `createBitrixTransport`, which adds its own). */
export interface BitrixClientOptions {
  /** Each portal's auth and bot, by portal (`member_id`). */
  readonly portals: PortalDirectory;
  /** The OAuth application, required when any portal uses `{ type: 'oauth' }`. */
  readonly oauth?: {
    readonly clientId: string;
    readonly clientSecret: string;
    /**
     * The token endpoint refreshes are posted to.
     * @defaultValue 'https://oauth.bitrix.info/oauth/token/'
     */
    readonly tokenUrl?: string;
    /** Where each portal's tokens are read from and rotated tokens are persisted to. */
    readonly tokens: OAuthTokenStore;
  };
  /**
   * The per-portal request budget shared by every caller; pass a shared one (e.g. Redis) when
   * several processes call the same portals.
   * @defaultValue a memory limiter at the platform's 2/s with burst 50 less a reserve: `withHeadroom(defaultRateLimit)` (2/s, burst 45)
   */
  readonly rateLimiter?: RateLimiter;
  /**
   * Locks for single-flight token refresh across processes (and one fetch poller per bot).
   * @defaultValue `createMemoryLockManager()` from `@baton/core`
   */
  readonly lockManager?: LockManager;
  /**
   * The `fetch` used for every request. Node's built-in one keeps connections alive.
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: FetchFunction;
  /**
   * Timeout of one HTTP request (the platform itself stops a request after 60 s).
   * @defaultValue 30_000
   */
  readonly timeoutMs?: number;
  /**
   * The longest one request waits for a rate-limit grant before failing with `RATE_LIMITED`.
   * @defaultValue 60_000
   */
  readonly maxRateLimitWaitMs?: number;
  /**
   * How far a `QUERY_LIMIT_EXCEEDED` pushes the portal's next allowed request, for every caller.
   * @defaultValue 1_000
   */
  readonly queryLimitPenaltyMs?: number;
  /**
   * The one wait the client does itself before sending a call again: after `OPERATION_TIME_LIMIT`
   * when the method unblocks (`operating_reset_at`) within this long. A longer or unknown wait is
   * returned as a `budget` failure with `retryAfterMs`. Every other retry is the engine's.
   * @defaultValue 5_000
   */
  readonly maxOperatingWaitMs?: number;
  /**
   * Told when a portal's OAuth access is lost (`auth.lost`: reinstall the app or wait for the
   * portal's next event) and when rotated tokens could not be written (`auth.store-failed`).
   */
  readonly onAuthEvent?: AuthEventListener;
  /**
   * How long one token refresh may hold the cross-process lock. The refresh request itself gets
   * at most 80% of it (and at most `timeoutMs`), so that the lock never lapses while a refresh
   * token is in flight. A holder that dies keeps the lock for the rest of its lease: every
   * process needing that portal's refresh waits that long (and then up to one lease more)
   * before it fails; keep it a few times the token endpoint's usual answer time.
   * @defaultValue 30_000
   */
  readonly refreshLockTtlMs?: number;
  /**
   * How often a process waiting for another one's refresh looks for the new tokens.
   * @defaultValue 50
   */
  readonly refreshWaitPollMs?: number;
  /**
   * Where the transport writes what it does (pino, bunyan, `console`, …): `debug` for every REST
   * call (portal, method, duration, outcome), `warn` for a failed call (code, message, whether it
   * may be retried), `error` when a pluggable part (token store, portal directory, limiter) threw,
   * and for `auth.lost` / `auth.store-failed`. Never the URL, tokens or parameters.
   * @defaultValue none
   */
  readonly logger?: Logger;
}

/** Options after validation, with every default applied. */
export interface ClientSettings {
  readonly portals: PortalDirectory;
  readonly oauth: OAuthAppSettings | undefined;
  readonly fetch: FetchFunction;
  readonly timeoutMs: number;
  readonly maxRateLimitWaitMs: number;
  readonly queryLimitPenaltyMs: number;
  readonly maxOperatingWaitMs: number;
  readonly refreshLockTtlMs: number;
  readonly refreshWaitPollMs: number;
  readonly onAuthEvent: AuthEventListener | undefined;
  readonly logger: Logger | undefined;
}

const isFunction = (value: unknown) => typeof value === 'function';
const isObject = (value: unknown) => typeof value === 'object' && value !== null;
const duration = (max: number) => z.number().int().positive().max(max);

const optionsSchema = z.object({
  portals: z.custom<PortalDirectory>((value) => isFunction(value) || isObject(value), 'a map or a function'),
  oauth: z
    .object({
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
      tokens: z.custom<OAuthTokenStore>(
        (value) =>
          isObject(value) &&
          isFunction((value as OAuthTokenStore).get) &&
          isFunction((value as OAuthTokenStore).set),
        'an object with get() and set()',
      ),
    })
    .optional(),
  rateLimiter: z.custom<RateLimiter>((value) => isObject(value), 'a RateLimiter').optional(),
  lockManager: z.custom<LockManager>((value) => isObject(value), 'a LockManager').optional(),
  fetch: z.custom<FetchFunction>(isFunction, 'a function').optional(),
  timeoutMs: duration(600_000).optional(),
  maxRateLimitWaitMs: z.number().int().nonnegative().max(3_600_000).optional(),
  queryLimitPenaltyMs: z.number().int().nonnegative().max(600_000).optional(),
  maxOperatingWaitMs: z.number().int().nonnegative().max(600_000).optional(),
  refreshLockTtlMs: duration(600_000).optional(),
  refreshWaitPollMs: duration(60_000).optional(),
  onAuthEvent: z.custom<AuthEventListener>(isFunction, 'a function').optional(),
  logger: loggerSchema.optional(),
});

/** Validates the client's options and applies defaults; throws `INVALID_INPUT` on bad options. */
export function resolveClientOptions(options: BitrixClientOptions): ClientSettings {
  parseOrThrow(optionsSchema, options, 'transport options', (failure) =>
    invalidInputError('transport options', failure.cause),
  );
  const { oauth } = options;
  return {
    portals: options.portals,
    oauth: oauth && {
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      tokenUrl: oauth.tokenUrl ?? defaultOAuthTokenUrl,
      tokens: oauth.tokens,
    },
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 60_000,
    queryLimitPenaltyMs: options.queryLimitPenaltyMs ?? 1_000,
    maxOperatingWaitMs: options.maxOperatingWaitMs ?? 5_000,
    refreshLockTtlMs: options.refreshLockTtlMs ?? 30_000,
    refreshWaitPollMs: options.refreshWaitPollMs ?? 50,
    onAuthEvent: options.onAuthEvent,
    logger: options.logger,
  };
}
