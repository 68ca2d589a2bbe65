import type { ChatKey } from '../chat-key.js';
import type { RateLimiter } from '../contracts/rate-limiter.js';
import type { CallOptions, Transport, TransportResult } from '../contracts/transport.js';
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
 * Puts a transport behind a rate limiter: every call takes one grant for its portal first, and a
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

  async function granted<V>(
    chat: ChatKey,
    callOptions: CallOptions | undefined,
    call: () => Promise<TransportResult<V>>,
  ): Promise<TransportResult<V>> {
    const signal = callOptions?.signal;
    const grant = await waitForGrant(rateLimiter, chat.portal, { until: Date.now() + maxWaitMs, signal });
    if (!grant.granted) {
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
              message: `The request budget of ${chat.portal} is spent for the next ${grant.retryAfterMs} ms`,
            },
          };
    }
    const result = await call();
    if (!result.ok && result.error.kind === 'budget') {
      await rateLimiter.penalize(chat.portal, result.error.retryAfterMs ?? penaltyMs).catch(() => undefined);
    }
    return result;
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
  const { handToQueue, finishSession } = transport;
  return Object.assign(Object.create(transport) as T, limited, {
    rateLimiter,
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
