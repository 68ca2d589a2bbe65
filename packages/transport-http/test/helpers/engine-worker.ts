// One worker process of a deployment set up as the store-redis README says: a Redis store, a
// Redis rate limiter given to the Bitrix24 transport, an engine running in the background. The
// parent tells it which hand-overs to request. Run with `node --import tsx`.
import { createEngine, type RateLimit, withHeadroom } from '@baton/core';
import { createRedisRateLimiter, createRedisStore } from '@baton/store-redis';
import { createBitrixTransport } from '../../src/transport.js';

/** How the parent configures a worker (`process.argv[2]`, as JSON). */
export interface EngineWorkerConfig {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly portal: string;
  readonly webhookUrl: string;
  readonly botId: number;
  readonly botClientId: string;
  readonly limit: RateLimit;
}

/** Commands from the parent. */
export type EngineWorkerCommand = {
  readonly op: 'handOver';
  readonly chatIds: readonly number[];
  readonly operatorId: number;
};

/** Messages to the parent. */
export type EngineWorkerMessage = { readonly kind: 'ready' } | { readonly kind: 'requested' };

const config = JSON.parse(process.argv[2] ?? '{}') as EngineWorkerConfig;
const send = (message: EngineWorkerMessage) => process.send?.(message);

const store = createRedisStore({ url: config.redisUrl, prefix: config.prefix });
const rateLimiter = createRedisRateLimiter({
  url: config.redisUrl,
  prefix: config.prefix,
  limit: withHeadroom(config.limit),
});
const transport = createBitrixTransport({
  portals: {
    [config.portal]: {
      auth: { type: 'webhook', url: config.webhookUrl },
      bot: { id: config.botId, clientId: config.botClientId },
    },
  },
  rateLimiter,
});
const engine = createEngine({ transport, store, worker: { pollIntervalMs: 20 } });
engine.start();

process.on('message', async (command: EngineWorkerCommand) => {
  for (const chatId of command.chatIds) {
    await engine.dispatch({
      type: 'transfer.request',
      id: `handover-${chatId}`,
      portal: config.portal,
      chatId,
      plan: [
        {
          target: { kind: 'user', userId: command.operatorId },
          leave: false,
          confirmationTimeoutMs: 600_000,
        },
      ],
    });
  }
  send({ kind: 'requested' });
});
process.on('SIGTERM', async () => {
  await engine.stop();
  await Promise.all([transport.close(), rateLimiter.close(), store.close()]);
  process.exit(0);
});
send({ kind: 'ready' });
