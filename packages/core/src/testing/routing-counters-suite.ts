import { describe, expect, it } from 'vitest';
import type { RoutingCounters } from '../contracts/routing-counters.js';
import type { ConformanceHarness } from './harness.js';
import { useSubject } from './use-subject.js';

const portalA = 'conformance-portal-a';
const portalB = 'conformance-portal-b';

/**
 * Registers a vitest `describe` block that pins the `RoutingCounters` contract: rotations count
 * 0, 1, 2, … per (portal, rotation), gap-free and shared under concurrency; busy counts never go
 * below 0 and read as 0 when never counted; portals never see each other's counters.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from '@baton/core';
 * import { routingCountersConformanceSuite } from '@baton/core/testing';
 *
 * routingCountersConformanceSuite('memory store', {
 *   create: async ({ clock }) => createMemoryStore({ clock }),
 *   destroy: (store) => store.close(),
 * });
 * ```
 */
export function routingCountersConformanceSuite<T extends RoutingCounters>(
  label: string,
  harness: ConformanceHarness<T>,
): void {
  describe(`RoutingCounters conformance: ${label}`, () => {
    const get = useSubject(harness);

    it('a rotation counts 0, 1, 2, … per portal and rotation name', async () => {
      const { subject } = get();
      const positions: number[] = [];
      for (let call = 0; call < 4; call += 1) positions.push(await subject.nextInRotation(portalA, 'line-1'));
      expect(positions).toEqual([0, 1, 2, 3]);
      expect(await subject.nextInRotation(portalA, 'line-2')).toBe(0);
      expect(await subject.nextInRotation(portalB, 'line-1')).toBe(0);
      expect(await subject.nextInRotation(portalA, 'line-1')).toBe(4);
      expect(await subject.nextInRotation(portalB, 'line-1')).toBe(1);
    });

    it('concurrent callers of one rotation get distinct, gap-free positions', async () => {
      const { subject } = get();
      const positions = await Promise.all(
        Array.from({ length: 50 }, () => subject.nextInRotation(portalA, 'pool')),
      );
      expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index));
      expect(await subject.nextInRotation(portalA, 'pool')).toBe(50);
    });

    it('busy counts add up, never go below 0, and read as 0 when never counted', async () => {
      const { subject } = get();
      expect(await subject.adjustBusy(portalA, 7, 1)).toBe(1);
      expect(await subject.adjustBusy(portalA, 7, 2)).toBe(3);
      expect(await subject.adjustBusy(portalA, 7, -1)).toBe(2);
      expect(await subject.adjustBusy(portalA, 7, -10)).toBe(0);
      expect(await subject.adjustBusy(portalA, 8, -1)).toBe(0);
      expect(await subject.adjustBusy(portalA, 7, 1)).toBe(1);
      const busy = await subject.readBusy(portalA, [7, 8, 9]);
      expect([...busy.entries()].sort(([a], [b]) => a - b)).toEqual([
        [7, 1],
        [8, 0],
        [9, 0],
      ]);
    });

    it('concurrent busy adjustments are all counted', async () => {
      const { subject } = get();
      await Promise.all(Array.from({ length: 30 }, () => subject.adjustBusy(portalA, 7, 1)));
      await Promise.all(Array.from({ length: 10 }, () => subject.adjustBusy(portalA, 7, -1)));
      expect((await subject.readBusy(portalA, [7])).get(7)).toBe(20);
    });

    it('portals never see each other’s busy counts', async () => {
      const { subject } = get();
      await subject.adjustBusy(portalA, 7, 5);
      expect((await subject.readBusy(portalB, [7])).get(7)).toBe(0);
      expect(await subject.adjustBusy(portalB, 7, 1)).toBe(1);
      expect((await subject.readBusy(portalA, [7])).get(7)).toBe(5);
    });
  });
}
