import { describe, expect, it } from 'vitest';
import type { Lock, LockManager } from '../contracts/lock.js';
import type { ConformanceHarness } from './harness.js';
import { useSubject } from './use-subject.js';

const ttlMs = 1_000;

/**
 * Registers a vitest `describe` block that pins the `LockManager` contract: a lock is exclusive
 * while held; once it expires another caller can take it and the first holder's token no longer
 * extends or releases anything; release frees it at once; extend pushes the expiry.
 *
 * @example
 * ```ts
 * import { createMemoryLockManager } from '@baton/core';
 * import { lockManagerConformanceSuite } from '@baton/core/testing';
 *
 * lockManagerConformanceSuite('memory lock manager', {
 *   create: async ({ clock }) => createMemoryLockManager({ clock }),
 *   destroy: (locks) => locks.close(),
 * });
 * ```
 */
export function lockManagerConformanceSuite<T extends LockManager>(
  label: string,
  harness: ConformanceHarness<T>,
): void {
  describe(`LockManager conformance: ${label}`, () => {
    const get = useSubject(harness);
    const take = async (name: string, ttl = ttlMs): Promise<Lock> => {
      const lock = await get().subject.tryAcquire(name, ttl);
      if (lock === undefined) throw new Error(`expected to take the free lock ${name}`);
      return lock;
    };

    it('a held lock is exclusive; other names are independent', async () => {
      const { subject } = get();
      const lock = await take('refresh:portal-a');
      expect(lock.name).toBe('refresh:portal-a');
      expect(lock.token.length).toBeGreaterThan(0);
      expect(await subject.tryAcquire('refresh:portal-a', ttlMs)).toBeUndefined();
      const other = await take('refresh:portal-b');
      expect(other.token).not.toBe(lock.token);
    });

    it('of concurrent callers exactly one takes a free lock', async () => {
      const { subject } = get();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => subject.tryAcquire('poller:bot-1', ttlMs)),
      );
      expect(results.filter((lock) => lock !== undefined)).toHaveLength(1);
    });

    it('an expired lock can be taken by another; the old token then neither extends nor releases it', async () => {
      const { subject, clock } = get();
      const first = await take('poller:bot-1');
      clock.advance(ttlMs - 1);
      expect(await subject.tryAcquire('poller:bot-1', ttlMs)).toBeUndefined();
      clock.advance(1);
      const second = await take('poller:bot-1');
      expect(second.token).not.toBe(first.token);
      expect(await first.extend(ttlMs)).toBe(false);
      expect(await first.release()).toBe(false);
      expect(await subject.tryAcquire('poller:bot-1', ttlMs)).toBeUndefined();
      expect(await second.release()).toBe(true);
    });

    it('release frees the lock at once and only once', async () => {
      const { subject } = get();
      const lock = await take('refresh:portal-a');
      expect(await lock.release()).toBe(true);
      expect(await lock.release()).toBe(false);
      const next = await take('refresh:portal-a');
      expect(await lock.release()).toBe(false);
      expect(await subject.tryAcquire('refresh:portal-a', ttlMs)).toBeUndefined();
      expect(await lock.extend(ttlMs)).toBe(false);
      expect(await next.release()).toBe(true);
    });

    it('extend keeps a held lock for the new time, counted from now', async () => {
      const { subject, clock } = get();
      const lock = await take('refresh:portal-a');
      clock.advance(ttlMs - 100);
      expect(await lock.extend(ttlMs * 3)).toBe(true);
      clock.advance(ttlMs * 3 - 1);
      expect(await subject.tryAcquire('refresh:portal-a', ttlMs)).toBeUndefined();
      clock.advance(1);
      expect(await lock.extend(ttlMs)).toBe(false);
      await take('refresh:portal-a');
    });
  });
}
