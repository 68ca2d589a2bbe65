import type { Clock, Logger } from '@baton/core';
import { type Cluster, Redis } from 'ioredis';
import { createProblemChannel, watchClient } from './connection-events.js';
import { asRedisFailure, RedisStoreError } from './errors.js';
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
  /**
   * Resolves when Redis answers `PING` (within the client's `commandTimeout`); rejects with
   * `REDIS_FAILURE` otherwise, or `CLOSED` after `close()`.
   */
  ready(): Promise<void>;
  /**
   * Subscribes to the failures no caller sees: those of a client we opened (a client you passed in
   * reports its own to your `error` listeners) and those `report` is given. Returns an unsubscribe
   * function.
   */
  onError(listener: (error: unknown) => void): () => void;
  /**
   * Reports a failure no caller sees (e.g. one unreadable record skipped by a claim that went on):
   * to the logger and the `onError` subscribers (the engine); with neither, once per code to stderr.
   */
  report(error: unknown): void;
  /**
   * Opens a second client like this one (a subscriber), whose failures are reported the way
   * those of a client we opened are. The caller closes it.
   */
  duplicate(what: string): Redis | Cluster;
  /** Closes the client only if we created it. Idempotent. */
  close(): Promise<void>;
}

/** How long a command on a client we open may take before it fails (`commandTimeout`). */
export const defaultCommandTimeoutMs = 2_000;

/**
 * Settings for the clients we open from a URL, and the ones we recommend for your own:
 * - `commandTimeout: 2_000`: a command on a dead or unresponsive server fails within 2 s (a
 *   `REDIS_FAILURE`), so `dispatch` never hangs; our scripts are safe to resend, and a timed-out
 *   commit that still runs later meets the dedupe check or its deadline.
 * - `maxRetriesPerRequest: 3`: a command queued while the server refuses connections fails after
 *   three reconnect attempts instead of waiting for ever.
 * - the offline queue: commands sent during a short reconnect are sent once it is back.
 * - `reconnectOnError` reconnects on `READONLY` (a primary demoted in a failover) and resends the
 *   command to the new primary.
 * - `enableAutoPipelining`: commands issued in the same tick go out in one write, so concurrent
 *   events share socket writes and reads (about a fifth less Redis CPU per event, and more events
 *   a second, under concurrent load). For a single server only: spread into a Cluster's
 *   `redisOptions` it does nothing, and on the `Cluster` itself ioredis groups commands by the slot
 *   map of the moment, which fails them when the map changes before they are sent.
 */
export const recommendedClientOptions = {
  commandTimeout: defaultCommandTimeoutMs,
  enableAutoPipelining: true,
  maxRetriesPerRequest: 3,
  enableOfflineQueue: true,
  reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
} as const;

export function openConnection(options: {
  redis?: Redis | undefined;
  cluster?: Cluster | undefined;
  url?: string | undefined;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  commandTimeoutMs?: number | undefined;
  /** What the connection serves, for log lines: `store`, `rate limiter`, `lock manager`. */
  what?: string;
}): Connection {
  const owned = options.redis === undefined && options.cluster === undefined;
  const client: Redis | Cluster =
    options.redis ??
    options.cluster ??
    new Redis(options.url as string, {
      ...recommendedClientOptions,
      commandTimeout: options.commandTimeoutMs ?? defaultCommandTimeoutMs,
    });
  const what = `Redis ${options.what ?? 'store'}`;
  const problems = createProblemChannel({ logger: options.logger, what });
  // Only our own client: on yours, an error listener of ours would hide your missing one.
  if (owned) watchClient(client, problems, { logger: options.logger, what });
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
    async ready() {
      assertOpen('ready');
      try {
        await client.ping();
      } catch (error) {
        throw asRedisFailure(error, 'ping');
      }
    },
    onError: (listener) => problems.onError(listener),
    report: (error) => problems.report(error),
    duplicate(purpose) {
      const copy = client instanceof Redis ? client.duplicate() : client.duplicate();
      watchClient(copy, problems, { logger: options.logger, what: `${what} (${purpose})` });
      return copy;
    },
    async close() {
      if (closed) return;
      closed = true;
      problems.silence();
      if (!owned) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
