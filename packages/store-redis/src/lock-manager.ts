import { randomUUID } from 'node:crypto';
import type { LockManager } from '@baton/core';
import type { Lock } from '@baton/core/adapter';
import { z } from 'zod';
import { openConnection } from './connection.js';
import { guarded } from './context.js';
import { parseInput } from './errors.js';
import { createKeySpace } from './keys.js';
import {
  connectionShape,
  exactlyOneConnection,
  oneConnectionMessage,
  parseOptions,
  type RedisConnectionOptions,
} from './options.js';
import { replyNumber } from './scripts/index.js';

/** Options of `createRedisLockManager`: where Redis is and the key prefix. */
export type RedisLockManagerOptions = RedisConnectionOptions;

const lockOptionsSchema = z.object(connectionShape).refine(exactlyOneConnection, oneConnectionMessage);
const nameSchema = z.string().min(1).max(512);
const ttlSchema = z
  .number()
  .int()
  .positive()
  .max(24 * 60 * 60 * 1000);

/** With an injected clock, Redis' own expiry must not beat the logical one: keep keys a day. */
const injectedClockKeyTtlMs = 24 * 60 * 60 * 1000;

/**
 * Named, expiring, fenced locks on Redis (one key per lock, its own hash tag): a token refresh
 * per portal, one fetch-mode poller per bot. Expiry is judged on the store's time.
 *
 * @example
 * ```ts
 * const locks = createRedisLockManager({ url: 'redis://127.0.0.1:6379' });
 * const lock = await locks.tryAcquire('refresh:b24-abc', 30_000);
 * if (lock) try { await refreshToken(); } finally { await lock.release(); }
 * ```
 */
export function createRedisLockManager(options: RedisLockManagerOptions): LockManager {
  const parsed = parseOptions(lockOptionsSchema, options, 'Redis lock manager options');
  const connection = openConnection({ ...parsed, what: 'lock manager' });
  const keys = createKeySpace(parsed.prefix);
  const keyTtl = (ttlMs: number) =>
    parsed.clock === undefined ? ttlMs : Math.max(ttlMs, injectedClockKeyTtlMs);
  const parseTtl = (ttlMs: number) => {
    const checked = parseInput(ttlSchema, ttlMs, 'ttlMs');
    return checked;
  };

  return {
    async tryAcquire(name, ttlMs) {
      const checkedName = parseInput(nameSchema, name, 'lock name');
      const ttl = parseTtl(ttlMs);
      const key = keys.lock(checkedName);
      const token = randomUUID();
      const acquired = await guarded('tryAcquire', async () =>
        replyNumber(
          await connection.run(
            'batonLockAcquire',
            [key],
            [connection.nowArgument(), token, ttl, keyTtl(ttl)],
          ),
          'batonLockAcquire',
        ),
      );
      if (acquired !== 1) return undefined;
      const lock: Lock = {
        name: checkedName,
        token,
        async extend(extendMs) {
          const extendTtl = parseTtl(extendMs);
          return guarded('extend', async () => {
            const reply = await connection.run(
              'batonLockExtend',
              [key],
              [connection.nowArgument(), token, extendTtl, keyTtl(extendTtl)],
            );
            return replyNumber(reply, 'batonLockExtend') === 1;
          });
        },
        async release() {
          return guarded('release', async () => {
            const reply = await connection.run('batonLockRelease', [key], [connection.nowArgument(), token]);
            return replyNumber(reply, 'batonLockRelease') === 1;
          });
        },
      };
      return lock;
    },
    close: () => connection.close(),
  };
}
