import type { Clock, Logger } from '@baton/core';
import { loggerSchema } from '@baton/core/adapter';
import { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { parseInput } from './errors.js';

/**
 * How to reach Redis, shared by `createRedisStore`, `createRedisRateLimiter` and
 * `createRedisLockManager`. Give exactly one of `redis`, `cluster` or `url`.
 */
export interface RedisConnectionOptions {
  /**
   * An existing standalone (or Sentinel) client. It is used as is and never closed by us:
   * `close()` leaves it open for its owner.
   */
  readonly redis?: Redis;
  /** An existing Cluster client. Never closed by us. Recommended: `scaleReads: 'master'`. */
  readonly cluster?: Cluster;
  /**
   * A `redis://` or `rediss://` URL: we open a standalone client with the recommended settings
   * and close it in `close()`.
   *
   * @example "redis://127.0.0.1:6379/0"
   */
  readonly url?: string;
  /**
   * Namespace of every key, so that deployments (or tests) can share one Redis. Letters,
   * digits, `_`, `.` and `-` only, so that it can never merge with the rest of a key.
   *
   * @defaultValue `"baton"`
   */
  readonly prefix?: string;
  /**
   * Where "now" comes from. By default Redis' own `TIME` inside every script, so all workers
   * share one clock. When given, scripts use `clock.now()` instead (tests pass a manual clock).
   *
   * @defaultValue Redis `TIME`
   */
  readonly clock?: Clock;
  /**
   * For a client we open from `url`: how long one command may take before it fails with
   * `REDIS_FAILURE` (ioredis `commandTimeout`). Bounds every call, `dispatch` included, when Redis
   * is down or does not answer. Clients you pass in keep their own settings (see
   * `recommendedClientOptions`).
   *
   * @defaultValue 2_000
   */
  readonly commandTimeoutMs?: number;
  /**
   * Where the connection writes what happens to it (pino, bunyan, `console`, …): `error` once per
   * outage of a client we opened, `info` when it is back, `debug` for each reconnect attempt.
   * @defaultValue none: the first failure of each kind is printed to stderr unless someone
   * subscribed with `onError` (an engine does)
   */
  readonly logger?: Logger;
}

const looksLikeClient = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { defineCommand?: unknown }).defineCommand === 'function';

/** The zod shape of the connection options; store and limiter schemas extend it. */
export const connectionShape = {
  redis: z
    .custom<Redis>((value) => value instanceof Redis || looksLikeClient(value), {
      message: 'redis must be an ioredis Redis instance',
    })
    .optional(),
  cluster: z
    .custom<Cluster>((value) => value instanceof Cluster || looksLikeClient(value), {
      message: 'cluster must be an ioredis Cluster instance',
    })
    .optional(),
  url: z
    .string()
    .regex(/^rediss?:\/\//, 'url must start with redis:// or rediss://')
    .optional(),
  prefix: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'prefix may contain only letters, digits, _, . and -')
    .default('baton'),
  clock: z
    .custom<Clock>(
      (value) =>
        typeof value === 'object' && value !== null && typeof (value as { now?: unknown }).now === 'function',
      { message: 'clock must have a now() method' },
    )
    .optional(),
  commandTimeoutMs: z.number().int().min(10).max(600_000).optional(),
  logger: loggerSchema.optional(),
};

/** Refuses anything but exactly one way to connect. */
export function exactlyOneConnection(value: { redis?: unknown; cluster?: unknown; url?: unknown }): boolean {
  return [value.redis, value.cluster, value.url].filter((given) => given !== undefined).length === 1;
}

export const oneConnectionMessage = {
  message: 'give exactly one of redis, cluster or url',
  path: ['redis'],
};

/** Parses options with a schema, turning a failure into `INVALID_OPTIONS`. */
export function parseOptions<T>(schema: z.ZodType<T>, options: unknown, what: string): T {
  return parseInput(schema, options, what, 'INVALID_OPTIONS');
}

/** The longest retention accepted: 100 years (a chat that should stay for good is simply not listed). */
const maxRetentionMs = 100 * 365 * 24 * 60 * 60 * 1000;

/** By default closed chats are kept for 30 days after they came to rest, then expire. */
export const defaultRetention: Readonly<Record<string, number>> = { closed: 30 * 24 * 60 * 60 * 1000 };

/**
 * The store's `retention` option: lifecycle state name → how long (ms) a chat resting in that
 * state is kept; `false` (or `{}`) keeps every chat for good. Parsed into a `Map`, so that no
 * state name can collide with an object's own properties.
 */
export const retentionSchema = z
  .union([
    z.literal(false),
    z.record(
      z.string().min(1, 'a retention state name must not be empty').max(255),
      z
        .number()
        .int('a retention must be a whole number of milliseconds')
        .positive('a retention must be positive')
        .max(maxRetentionMs, 'a retention must be at most 100 years'),
    ),
  ])
  .default(defaultRetention)
  .transform((value): ReadonlyMap<string, number> => new Map(value === false ? [] : Object.entries(value)));
