import type { ConformanceHarness } from '@baton/core/testing';
import {
  createRedisLockManager,
  createRedisRateLimiter,
  createRedisStore,
  type RedisStore,
} from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { closeClient, deletePrefix, type RedisTarget, uniquePrefix } from './redis.js';

/** The dedupe window the conformance harness configures, so that the suite can check it. */
export const conformanceDedupeTtlMs = 60_000;

/**
 * Harnesses for the conformance suites on one target: every subject shares one client (as a
 * real deployment's store would) but gets a fresh prefix, deleted again in `destroy`.
 */
export function harnessesFor(target: RedisTarget) {
  let client: Redis | Cluster | undefined;
  const shared = () => {
    client ??= target.connect();
    return client;
  };
  afterAll(async () => {
    if (client !== undefined) await closeClient(client);
  });
  const connection = () =>
    target.name === 'cluster' ? { cluster: shared() as Cluster } : { redis: shared() as Redis };
  const prefixes = new WeakMap<object, string>();

  function harness<T extends { close(): Promise<void> }>(
    make: (prefix: string, context: Parameters<ConformanceHarness<T>['create']>[0]) => T,
  ): ConformanceHarness<T> {
    return {
      async create(context) {
        const prefix = uniquePrefix();
        const subject = make(prefix, context);
        prefixes.set(subject, prefix);
        return subject;
      },
      async destroy(subject) {
        await subject.close();
        const prefix = prefixes.get(subject);
        if (prefix !== undefined) await deletePrefix(shared(), prefix);
      },
    };
  }

  return {
    store: harness<RedisStore>((prefix, { clock }) =>
      createRedisStore({ ...connection(), prefix, clock, dedupeTtlMs: conformanceDedupeTtlMs }),
    ),
    rateLimiter: harness((prefix, { clock, rateLimit }) =>
      createRedisRateLimiter({ ...connection(), prefix, clock, limit: rateLimit }),
    ),
    lockManager: harness((prefix, { clock }) => createRedisLockManager({ ...connection(), prefix, clock })),
  };
}
