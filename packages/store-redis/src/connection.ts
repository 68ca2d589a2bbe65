import type { Clock } from '@baton/core';
import { type Cluster, Redis } from 'ioredis';
import { RedisStoreError } from './errors.js';
import { defineScripts, type RunScript } from './scripts/index.js';

/** An open connection with our scripts defined on it. */
export interface Connection {
  readonly client: Redis | Cluster;
  /** Runs one of our scripts; throws `CLOSED` after `close()`. */
  readonly run: RunScript;
  /** The "now" argument for scripts: the injected clock's time, or `''` for Redis `TIME`. */
  nowArgument(): string;
  /** The store's current time in ms (the injected clock, else Redis `TIME`). */
  now(): Promise<number>;
  /** Throws `CLOSED` once closed. */
  assertOpen(operation: string): void;
  /** Closes the client only if we created it. Idempotent. */
  close(): Promise<void>;
}

/**
 * Settings for clients we open from a URL. `maxRetriesPerRequest: null` and the offline queue
 * keep commands waiting through a reconnect instead of failing them; our scripts are safe to be
 * resent. `reconnectOnError` reconnects on `READONLY` (a primary demoted in a failover) and
 * resends the command to the new primary.
 */
export const recommendedClientOptions = {
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
} as const;

export function openConnection(options: {
  redis?: Redis | undefined;
  cluster?: Cluster | undefined;
  url?: string | undefined;
  clock?: Clock | undefined;
}): Connection {
  const owned = options.redis === undefined && options.cluster === undefined;
  const client: Redis | Cluster =
    options.redis ?? options.cluster ?? new Redis(options.url as string, { ...recommendedClientOptions });
  const runScript = defineScripts(client);
  const clock = options.clock;
  let closed = false;

  const assertOpen = (operation: string) => {
    if (closed) {
      throw new RedisStoreError('CLOSED', `Cannot ${operation}: closed`, {
        context: { operation },
      });
    }
  };

  return {
    client,
    run: (name, keys, args) => {
      assertOpen(name);
      return runScript(name, keys, args);
    },
    nowArgument: () => (clock === undefined ? '' : String(Math.floor(clock.now()))),
    async now() {
      if (clock !== undefined) return Math.floor(clock.now());
      const [seconds, micros] = await client.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    },
    assertOpen,
    async close() {
      if (closed) return;
      closed = true;
      if (!owned) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
