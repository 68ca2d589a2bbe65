import type { ChatKey } from '../chat-key.js';
import type { RateLimiter } from '../contracts/rate-limiter.js';
import {
  type CallOptions,
  type DialogOwner,
  dialogReadsPerRequest,
  type Transport,
  type TransportFailure,
  type TransportResult,
} from '../contracts/transport.js';
import { waitForGrant } from './wait-for-grant.js';

/** Options of `withRateLimit`. */
export interface WithRateLimitOptions {
  /**
   * The longest wait for a grant before a call fails with `RATE_LIMITED` (`kind: 'budget'`, with
   * `retryAfterMs`), leaving the retry to the engine. Keep it well below the engine's
   * `worker.effectLeaseMs`.
   * @defaultValue 30_000
   */
  readonly maxWaitMs?: number;
  /**
   * How far a `budget` failure of the platform (e.g. `QUERY_LIMIT_EXCEEDED`) pushes the portal's
   * bucket back, for every caller sharing the limiter, when the failure names no wait.
   * @defaultValue 1_000
   */
  readonly penaltyMs?: number;
}

/** A transport whose every call is granted by `rateLimiter` first. */
export type RateLimitedTransport<T extends Transport = Transport> = T & { readonly rateLimiter: RateLimiter };

/**
 * Puts a transport behind a rate limiter: every call takes one grant for its portal first (a
 * grouped `readDialogOwners`: one per 50 chats, the chats one request reads), and a
 * `budget` failure the platform answers anyway penalizes the portal for every caller. The one
 * place a transport without its own limiter gets one; give every process the same shared limiter
 * (e.g. `createRedisRateLimiter`) when several processes call one portal.
 *
 * @example
 * ```ts
 * const transport = withRateLimit(createMyTransport(), createRedisRateLimiter({ redis }));
 * const engine = createEngine({ transport, store });
 * ```
 */
export function withRateLimit<T extends Transport>(
  transport: T,
  rateLimiter: RateLimiter,
  options: WithRateLimitOptions = {},
): RateLimitedTransport<T> {
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const penaltyMs = options.penaltyMs ?? 1_000;

  /** Waits for `grants` grants of the portal; a refusal as the failure every call of them reports. */
  async function takeGrants(
    portal: string,
    grants: number,
    signal: AbortSignal | undefined,
  ): Promise<{ readonly ok: false; readonly error: TransportFailure } | undefined> {
    const until = Date.now() + maxWaitMs;
    for (let taken = 0; taken < grants; taken += 1) {
      const grant = await waitForGrant(rateLimiter, portal, { until, signal });
      if (grant.granted) continue;
      return grant.reason === 'aborted'
        ? {
            ok: false,
            error: { code: 'ABORTED', retryable: false, notSent: true, message: 'The call was aborted' },
          }
        : {
            ok: false,
            error: {
              code: 'RATE_LIMITED',
              retryable: true,
              kind: 'budget',
              outcomeUnknown: false,
              notSent: true,
              retryAfterMs: grant.retryAfterMs,
              message: `The request budget of ${portal} is spent for the next ${grant.retryAfterMs} ms`,
            },
          };
    }
    return undefined;
  }

  /** A `budget` failure the platform answered anyway holds back every caller of the portal. */
  async function penalizeOn(portal: string, result: TransportResult<unknown>): Promise<void> {
    if (!result.ok && result.error.kind === 'budget') {
      await rateLimiter.penalize(portal, result.error.retryAfterMs ?? penaltyMs).catch(() => undefined);
    }
  }

  async function granted<V>(
    chat: ChatKey,
    callOptions: CallOptions | undefined,
    call: () => Promise<TransportResult<V>>,
  ): Promise<TransportResult<V>> {
    const refused = await takeGrants(chat.portal, 1, callOptions?.signal);
    if (refused) return refused;
    const result = await call();
    await penalizeOn(chat.portal, result);
    return result;
  }

  /**
   * A grouped read: one grant per request it may send (50 chats each), and one penalty when
   * any of its outcomes is a budget failure (they came from the same requests).
   */
  async function grantedReads(
    readDialogOwners: NonNullable<Transport['readDialogOwners']>,
    chats: readonly ChatKey[],
    callOptions: CallOptions | undefined,
  ): Promise<readonly TransportResult<DialogOwner>[]> {
    const portal = chats[0]?.portal;
    if (portal === undefined) return readDialogOwners.call(transport, chats, callOptions);
    const requests = Math.ceil(chats.length / dialogReadsPerRequest);
    const refused = await takeGrants(portal, requests, callOptions?.signal);
    if (refused) return chats.map(() => refused);
    const results = await readDialogOwners.call(transport, chats, callOptions);
    const budget = results.find((result) => !result.ok && result.error.kind === 'budget');
    if (budget) await penalizeOn(portal, budget);
    return results;
  }

  const limited: Transport = {
    transfer: (request, callOptions) =>
      granted(request, callOptions, () => transport.transfer(request, callOptions)),
    removeBot: (chat, callOptions) =>
      granted(chat, callOptions, () => transport.removeBot(chat, callOptions)),
    readDialogOwner: (chat, callOptions) =>
      granted(chat, callOptions, () => transport.readDialogOwner(chat, callOptions)),
    sendBotMessage: (chat, callOptions) =>
      granted(chat, callOptions, () => transport.sendBotMessage(chat, callOptions)),
  };
  const { handToQueue, finishSession, readDialogOwners } = transport;
  return Object.assign(Object.create(transport) as T, limited, {
    rateLimiter,
    ...(readDialogOwners
      ? {
          readDialogOwners: (chats: readonly ChatKey[], callOptions?: CallOptions) =>
            grantedReads(readDialogOwners, chats, callOptions),
        }
      : {}),
    ...(handToQueue
      ? {
          handToQueue: (chat: ChatKey, callOptions?: CallOptions) =>
            granted(chat, callOptions, () => handToQueue.call(transport, chat, callOptions)),
        }
      : {}),
    ...(finishSession
      ? {
          finishSession: (chat: ChatKey, callOptions?: CallOptions) =>
            granted(chat, callOptions, () => finishSession.call(transport, chat, callOptions)),
        }
      : {}),
  });
}
