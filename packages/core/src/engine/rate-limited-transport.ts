import { defaultRateLimit, withHeadroom } from '../contracts/rate-limiter.js';
import type { Store } from '../contracts/store.js';
import type { Transport } from '../contracts/transport.js';
import { BatonError } from '../errors.js';
import { createMemoryRateLimiter } from '../memory/memory-rate-limiter.js';
import { withRateLimit } from '../rate-limit/with-rate-limit.js';

/**
 * The transport the engine calls, behind exactly one rate limiter: the transport's own, or an
 * in-process one for a transport without. Refuses, with a coded error, the configurations that
 * would leave workers sharing a store but not a budget:
 * - `RATE_LIMITER_MISPLACED` (thrown): a `rateLimiter` given to the engine (it takes no grants:
 *   the limiter belongs to the transport, e.g. `createBitrixTransport({ rateLimiter })` or
 *   `withRateLimit`);
 * - `UNSHARED_RATE_LIMITER` (returned, for the engine to throw when it is asked to make calls:
 *   `start()`, `drain()`): a shared store (`scope: 'shared'`) with a limiter of this process alone
 *   (`scope: 'process'`), including the in-process default for a transport without one. An engine
 *   that only reads chats makes no calls and is not refused.
 */
export function rateLimitedTransport(
  transport: Transport,
  store: Store,
  misplaced: unknown,
): {
  readonly transport: Transport & { readonly rateLimiter: NonNullable<Transport['rateLimiter']> };
  readonly refusal: BatonError | undefined;
} {
  if (misplaced !== undefined) {
    throw new BatonError(
      'RATE_LIMITER_MISPLACED',
      'createEngine takes no rateLimiter: rate limiting belongs to the transport. Pass it there ' +
        '(createBitrixTransport({ rateLimiter }), or withRateLimit(transport, rateLimiter)).',
    );
  }
  const limited = transport.rateLimiter
    ? (transport as Transport & { readonly rateLimiter: NonNullable<Transport['rateLimiter']> })
    : withRateLimit(transport, createMemoryRateLimiter({ limit: withHeadroom(defaultRateLimit) }));
  const unshared = store.scope === 'shared' && limited.rateLimiter.scope === 'process';
  const refusal = unshared
    ? new BatonError(
        'UNSHARED_RATE_LIMITER',
        'The store is shared by every worker but the rate limiter is this process alone: each worker ' +
          "would spend the portal's whole budget. Give the transport a shared limiter " +
          '(e.g. createRedisRateLimiter) on every worker.',
      )
    : undefined;
  return { transport: limited, refusal };
}
