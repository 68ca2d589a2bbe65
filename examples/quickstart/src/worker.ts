/**
 * One worker process of the Redis deployment: an engine on the shared Redis store that runs the
 * outbox and the durable timers, and forwards its events to the demo's timeline.
 */
import { createEngine, withHeadroom } from '@baton/core';
import { createRedisRateLimiter, createRedisStore } from '@baton/store-redis';
import { createDemoTransport } from './demo-transport.js';
import type { WorkerConfig } from './deployment.js';
import { type ForwardedEvent, forwardedEventNames } from './engine-events.js';

const config = JSON.parse(process.env.BATON_DEMO_WORKER ?? '{}') as WorkerConfig;
const store = createRedisStore({ url: config.redisUrl, prefix: config.prefix });
const rateLimiter = createRedisRateLimiter({
  url: config.redisUrl,
  prefix: config.prefix,
  limit: withHeadroom(config.limit),
});
const transport = createDemoTransport(config.access, rateLimiter);
const engine = createEngine({ transport, store, worker: { pollIntervalMs: 20 } });

for (const name of forwardedEventNames) {
  engine.on(name, (payload: unknown) => process.send?.({ name, payload } satisfies ForwardedEvent));
}
engine.on('error', (error, context) => console.error(`[${config.name}] ${context.stage}: ${String(error)}`));

process.on('message', async (message) => {
  if (message !== 'stop') return;
  await engine.stop();
  await Promise.all([transport.close(), rateLimiter.close(), store.close()]);
  process.exit(0);
});
engine.start();
process.send?.('ready');
