import { createMemoryLockManager, isBatonError } from '@baton/core';
import { createManualClock } from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

describe('createMemoryLockManager', () => {
  it('an expired lock nobody took can neither be extended nor released', async () => {
    const clock = createManualClock();
    const locks = createMemoryLockManager({ clock });
    const lock = await locks.tryAcquire('refresh', 100);
    clock.advance(100);
    expect(await lock?.extend(100)).toBe(false);
    expect(await lock?.release()).toBe(false);
    expect(await locks.tryAcquire('refresh', 100)).toBeDefined();
  });

  it('rejects bad names and durations with INVALID_INPUT', async () => {
    const locks = createMemoryLockManager();
    for (const attempt of [locks.tryAcquire('', 100), locks.tryAcquire('refresh', 0)]) {
      expect(isBatonError(await attempt.catch((error: unknown) => error), 'INVALID_INPUT')).toBe(true);
    }
    const lock = await locks.tryAcquire('refresh', 100);
    expect(isBatonError(await lock?.extend(-1).catch((error: unknown) => error), 'INVALID_INPUT')).toBe(true);
  });

  it('close is idempotent; a closed lock manager refuses work', async () => {
    const locks = createMemoryLockManager();
    await locks.close();
    await locks.close();
    await expect(locks.tryAcquire('refresh', 100)).rejects.toThrow(/closed/);
  });
});
