/**
 * What every process of the deployment builds the same way: the transport with the shared Redis
 * rate limiter, and the Redis store. One module, so the HTTP entry and the workers cannot drift.
 */
import { createEngine, type Engine, withHeadroom } from '@baton/core';
import { createRedisRateLimiter, createRedisStore } from '@baton/store-redis';
import { createBitrixTransport } from '@baton/transport-http';

/** Plain data, passed to each worker in its environment. */
export interface DeploymentConfig {
  readonly redisUrl: string;
  /** Every key of this deployment starts with it. */
  readonly prefix: string;
  readonly memberId: string;
  readonly webhookUrl: string;
  readonly botId: number;
  readonly botClientId: string;
  /** The portal's bucket: every process together keeps to it. */
  readonly limit: { readonly ratePerSecond: number; readonly burst: number };
}

export function createDeploymentEngine(config: DeploymentConfig): { engine: Engine; close(): Promise<void> } {
  const store = createRedisStore({ url: config.redisUrl, prefix: config.prefix });
  const rateLimiter = createRedisRateLimiter({
    url: config.redisUrl,
    prefix: config.prefix,
    limit: withHeadroom(config.limit),
  });
  const transport = createBitrixTransport({
    portals: {
      [config.memberId]: {
        auth: { type: 'webhook', url: config.webhookUrl },
        bot: { id: config.botId, clientId: config.botClientId },
      },
    },
    rateLimiter,
  });
  const engine = createEngine({
    transport,
    store,
    // Short leases so a killed worker's calls and timers are taken over within seconds
    // (defaults: 60 s and 30 s, sized for calls that may take long).
    worker: { pollIntervalMs: 20, effectLeaseMs: 3_000, timerVisibilityMs: 3_000 },
  });
  return {
    engine,
    async close() {
      await engine.stop();
      await Promise.all([transport.close(), rateLimiter.close(), store.close()]);
    },
  };
}
