import { describe, expect, it } from 'vitest';
import type { ChatKey } from '../chat-key.js';
import type { RoutingCounters } from '../contracts/routing-counters.js';
import type { ChatSummary, Store } from '../contracts/store.js';
import type { ConformanceHarness } from './harness.js';
import { commitFor, commitOk } from './store/fixtures.js';
import { useSubject } from './use-subject.js';

const portalA = 'conformance-portal-a';
const portalB = 'conformance-portal-b';
const chat1: ChatKey = { portal: portalA, chatId: 4_200_001 };
const chat2: ChatKey = { portal: portalA, chatId: 4_200_002 };

const summary = (state: string, holder?: number): ChatSummary => ({
  state,
  stateSince: 1_700_000_000_000,
  ...(holder === undefined ? {} : { holder }),
});

async function busy(subject: RoutingCounters, portal: string, operatorIds: number[]): Promise<number[]> {
  const counts = await subject.readBusy(portal, operatorIds);
  return operatorIds.map((id) => counts.get(id) ?? -1);
}

/**
 * Registers a vitest `describe` block that pins the `RoutingCounters` contract, with the busy
 * counts that a store's commits keep: rotations count 0, 1, 2, … per (portal, rotation),
 * gap-free and shared under concurrency; a busy count is the number of chats whose
 * `summary.holder` names the operator, read as 0 when never counted; a commit giving a chat to an
 * operator at `maxChats` is refused whole, even under concurrency; portals never see each
 * other's counters.
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
export function routingCountersConformanceSuite<T extends RoutingCounters & Store>(
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

    it('busy counts follow the holders that commits name, and read as 0 when never counted', async () => {
      const { subject } = get();
      await commitOk(subject, commitFor(chat1, 0, 'offer-1', { summary: summary('transferring', 7) }));
      await commitOk(subject, commitFor(chat2, 0, 'offer-2', { summary: summary('transferring', 7) }));
      expect(await busy(subject, portalA, [7, 8, 9])).toEqual([2, 0, 0]);
      // The first chat moves on to operator 8, then ends: its count moves, then goes.
      await commitOk(subject, commitFor(chat1, 1, 'fallback-1', { summary: summary('transferring', 8) }));
      expect(await busy(subject, portalA, [7, 8])).toEqual([1, 1]);
      await commitOk(subject, commitFor(chat1, 2, 'answered-1', { summary: summary('operator', 8) }));
      expect(await busy(subject, portalA, [7, 8])).toEqual([1, 1]);
      await commitOk(subject, commitFor(chat1, 3, 'finished-1', { summary: summary('closed') }));
      expect(await busy(subject, portalA, [7, 8])).toEqual([1, 0]);
    });

    it('a commit giving the chat to an operator already at maxChats is refused and changes nothing', async () => {
      const { subject } = get();
      await commitOk(
        subject,
        commitFor(chat1, 0, 'offer-1', { summary: summary('transferring', 7), maxChats: 1 }),
      );
      expect(
        await subject.commit(
          commitFor(chat2, 0, 'offer-2', { summary: summary('transferring', 7), maxChats: 1 }),
        ),
      ).toEqual({ status: 'atCapacity', operatorId: 7, busy: 1 });
      expect(await subject.load(chat2)).toBeUndefined();
      expect(await busy(subject, portalA, [7])).toEqual([1]);
      // The same event id is not spent by the refusal: it commits once the limit allows.
      await commitOk(
        subject,
        commitFor(chat2, 0, 'offer-2', { summary: summary('transferring', 7), maxChats: 2 }),
      );
      // A holder that stays is never refused, whatever the limit.
      await commitOk(
        subject,
        commitFor(chat1, 1, 'answered-1', { summary: summary('operator', 7), maxChats: 1 }),
      );
      expect(await busy(subject, portalA, [7])).toEqual([2]);
    });

    it('a duplicate or a conflicting commit changes no busy count', async () => {
      const { subject } = get();
      await commitOk(subject, commitFor(chat1, 0, 'offer-1', { summary: summary('transferring', 7) }));
      expect(
        await subject.commit(commitFor(chat1, 1, 'offer-1', { summary: summary('transferring', 8) })),
      ).toEqual({ status: 'duplicate' });
      expect(
        await subject.commit(commitFor(chat1, 5, 'stale-1', { summary: summary('transferring', 8) })),
      ).toEqual({ status: 'conflict', currentVersion: 1 });
      expect(await busy(subject, portalA, [7, 8])).toEqual([1, 0]);
    });

    it('concurrent offers to one operator never take them past maxChats', async () => {
      const { subject } = get();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          subject.commit(
            commitFor({ portal: portalA, chatId: 5_100_000 + index }, 0, `offer-${index}`, {
              summary: summary('transferring', 7),
              maxChats: 3,
            }),
          ),
        ),
      );
      expect(results.filter((result) => result.status === 'committed')).toHaveLength(3);
      expect(results.filter((result) => result.status === 'atCapacity')).toHaveLength(17);
      expect(await busy(subject, portalA, [7])).toEqual([3]);
    });

    it('portals never see each other’s busy counts', async () => {
      const { subject } = get();
      await commitOk(subject, commitFor(chat1, 0, 'offer-1', { summary: summary('transferring', 7) }));
      expect(await busy(subject, portalB, [7])).toEqual([0]);
      await commitOk(
        subject,
        commitFor({ portal: portalB, chatId: chat1.chatId }, 0, 'offer-b', {
          summary: summary('transferring', 7),
          maxChats: 1,
        }),
      );
      expect(await busy(subject, portalA, [7])).toEqual([1]);
      expect(await busy(subject, portalB, [7])).toEqual([1]);
    });
  });
}
