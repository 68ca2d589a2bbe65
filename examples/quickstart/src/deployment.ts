import { type ChildProcess, fork } from 'node:child_process';
import {
  createEngine,
  createMemoryRateLimiter,
  type Engine,
  type EngineEvents,
  type RateLimit,
  withHeadroom,
} from '@baton/core';
import { createRedisRateLimiter, createRedisStore } from '@baton/store-redis';
import { EventEmitter } from 'eventemitter3';
import { Redis } from 'ioredis';
import type { PortalAccess } from './demo-portal.js';
import { createDemoTransport } from './demo-transport.js';
import { type ForwardedEvent, forwardedEventNames } from './engine-events.js';

/** Where the demo's chats live and who runs their outbox and timers. */
export interface Deployment {
  /** One line for the demo's header. */
  readonly description: string;
  /** Takes the portal's events and answers reads about chats. */
  readonly engine: Engine;
  /** Every engine event of the deployment, whichever process it happened in. */
  readonly events: Pick<EventEmitter<EngineEvents>, 'on'>;
  close(): Promise<void>;
}

/** What a worker process is told at start (as JSON in its environment). */
export interface WorkerConfig {
  readonly name: string;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly access: PortalAccess;
  readonly limit: RateLimit;
}

/** One process, everything in memory: the engine runs its own outbox and timers. */
export function startMemoryDeployment(access: PortalAccess, limit: RateLimit): Deployment {
  const transport = createDemoTransport(access, createMemoryRateLimiter({ limit: withHeadroom(limit) }));
  const engine = createEngine({ transport, worker: { pollIntervalMs: 20 } });
  engine.start();
  return {
    description: 'in-memory store, one process',
    engine,
    events: engine,
    async close() {
      await engine.stop();
      await transport.close();
    },
  };
}

/**
 * Redis and worker processes: this process only takes inbound events (it starts no background
 * work); `workers` forked processes share the store, the rate limit and the work of calling the
 * platform and firing timers.
 */
export async function startRedisDeployment(
  access: PortalAccess,
  limit: RateLimit,
  redisUrl: string,
  workers: number,
): Promise<Deployment> {
  const prefix = `baton-demo-${process.pid}-${Date.now()}`;
  const store = createRedisStore({ url: redisUrl, prefix });
  const rateLimiter = createRedisRateLimiter({ url: redisUrl, prefix, limit: withHeadroom(limit) });
  const transport = createDemoTransport(access, rateLimiter);
  const engine = createEngine({ transport, store });
  const hub = new EventEmitter<EngineEvents>();
  for (const name of forwardedEventNames) {
    engine.on(name, (...args: unknown[]) => hub.emit(name, ...(args as [never])));
  }

  const children = await Promise.all(
    Array.from({ length: workers }, (_, index) =>
      forkWorker({ name: `worker-${index + 1}`, redisUrl, prefix, access, limit }, (event) =>
        hub.emit(event.name, { ...(event.payload as object), by: `worker-${index + 1}` } as never),
      ),
    ),
  );

  return {
    description: `Redis store at ${new URL(redisUrl).host}, ${workers} worker processes`,
    engine,
    events: hub,
    async close() {
      await Promise.all(children.map(stopWorker));
      await engine.stop();
      await Promise.all([transport.close(), rateLimiter.close(), store.close()]);
      await removeKeys(redisUrl, prefix);
    },
  };
}

function forkWorker(config: WorkerConfig, onEvent: (event: ForwardedEvent) => void): Promise<ChildProcess> {
  const child = fork(new URL('./worker.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BATON_DEMO_WORKER: JSON.stringify(config) },
  });
  return new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message === 'ready') resolve(child);
      else onEvent(message as ForwardedEvent);
    });
    child.once('exit', (code) => reject(new Error(`${config.name} exited with code ${code}`)));
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

/** The demo's keys are throwaway: remove them from the user's Redis. */
async function removeKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
