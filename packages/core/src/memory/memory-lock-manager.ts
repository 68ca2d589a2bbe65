import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Clock, systemClock } from '../contracts/clock.js';
import type { Lock, LockManager } from '../contracts/lock.js';
import { clockSchema, createClosedGuard, parseInput, positiveDurationMsSchema } from './input.js';

/** Options of `createMemoryLockManager`. */
export interface MemoryLockManagerOptions {
  /**
   * The time source lock expiry is measured on.
   * @defaultValue `systemClock` (`Date.now`)
   */
  readonly clock?: Clock;
}

const optionsSchema = z.object({ clock: clockSchema.optional() }).default({});
const lockNameSchema = z.string().min(1, 'lock name must not be empty').max(512);

interface Holder {
  readonly token: string;
  expiresAt: number;
}

/**
 * Creates named, expiring, fenced locks for one process. A lock is held while its token is the
 * current holder's and its time has not run out; once it expires, `extend` and `release` answer
 * `false` and anyone may take it. Use `@baton/store-redis`'s locks to share them between processes.
 *
 * @example
 * ```ts
 * import { createMemoryLockManager } from '@baton/core';
 *
 * const locks = createMemoryLockManager();
 * const lock = await locks.tryAcquire('token-refresh:a1b2c3', 10_000);
 * if (lock) {
 *   try {
 *     // … refresh the token …
 *   } finally {
 *     await lock.release();
 *   }
 * }
 * ```
 */
export function createMemoryLockManager(options?: MemoryLockManagerOptions): LockManager {
  const clock = parseInput(optionsSchema, options, 'memory lock manager options').clock ?? systemClock;
  const guard = createClosedGuard('memory lock manager');
  const holders = new Map<string, Holder>();

  function heldBy(name: string, token: string): Holder | undefined {
    const holder = holders.get(name);
    return holder !== undefined && holder.token === token && holder.expiresAt > clock.now()
      ? holder
      : undefined;
  }

  function openLock(name: string, token: string): Lock {
    return {
      name,
      token,
      async extend(ttlMs) {
        guard.assertOpen();
        const validTtl = parseInput(positiveDurationMsSchema, ttlMs, 'ttlMs');
        const holder = heldBy(name, token);
        if (holder === undefined) return false;
        holder.expiresAt = clock.now() + validTtl;
        return true;
      },
      async release() {
        guard.assertOpen();
        const current = holders.get(name);
        if (current?.token !== token) return false;
        holders.delete(name);
        return current.expiresAt > clock.now();
      },
    };
  }

  return {
    async tryAcquire(name, ttlMs) {
      guard.assertOpen();
      const validName = parseInput(lockNameSchema, name, 'lock name');
      const validTtl = parseInput(positiveDurationMsSchema, ttlMs, 'ttlMs');
      const now = clock.now();
      const current = holders.get(validName);
      if (current !== undefined && current.expiresAt > now) return undefined;
      const token = randomUUID();
      holders.set(validName, { token, expiresAt: now + validTtl });
      return openLock(validName, token);
    },

    async close() {
      guard.close();
    },
  };
}
