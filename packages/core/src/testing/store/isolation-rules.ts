import { expect, it } from 'vitest';
import type { ClaimedEffect, ClaimedTimer } from '../../contracts/effects.js';
import {
  chatA,
  chatA2,
  chatB,
  claimAllEffects,
  claimAllTimersAfter,
  commitFor,
  commitOk,
  effectFor,
  type GetStore,
  label,
  labels,
  longLeaseMs,
  timerFor,
} from './fixtures.js';

/** Two portals with the same chat id never see each other's state, dedupe records, timers or outbox. */
export function registerIsolationRules(get: GetStore): void {
  it('chats with the same id on two portals have separate snapshots and versions', async () => {
    const { subject } = get();
    await commitOk(subject, commitFor(chatA, 0, 'a1', { snapshot: { owner: 'a' } }));
    expect(await subject.load(chatB)).toBeUndefined();
    await commitOk(subject, commitFor(chatB, 0, 'b1', { snapshot: { owner: 'b' } }));
    await commitOk(subject, commitFor(chatA, 1, 'a2', { snapshot: { owner: 'a', step: 2 } }));
    expect(await subject.load(chatA)).toMatchObject({ snapshot: { owner: 'a', step: 2 }, version: 2 });
    expect(await subject.load(chatB)).toMatchObject({ snapshot: { owner: 'b' }, version: 1 });
  });

  it('event ids are deduplicated per chat: the same id commits once on each chat', async () => {
    const { subject } = get();
    for (const key of [chatA, chatB, chatA2]) await commitOk(subject, commitFor(key, 0, 'shared-event-id'));
    for (const key of [chatA, chatB, chatA2]) {
      expect(await subject.commit(commitFor(key, 1, 'shared-event-id'))).toEqual({ status: 'duplicate' });
    }
  });

  it('timers with the same id on two portals fire, are cancelled and are completed separately', async () => {
    const ref = get();
    await commitOk(
      ref.subject,
      commitFor(chatA, 0, 'a1', { timersToSet: [timerFor(chatA, 'confirm', 1_000)] }),
    );
    await commitOk(
      ref.subject,
      commitFor(chatB, 0, 'b1', { timersToSet: [timerFor(chatB, 'confirm', 1_000)] }),
    );
    await commitOk(
      ref.subject,
      commitFor(chatA2, 0, 'c1', { timersToSet: [timerFor(chatA2, 'confirm', 1_000)] }),
    );
    await commitOk(ref.subject, commitFor(chatA, 1, 'a2', { timersToCancel: ['confirm'] }));
    const due = await claimAllTimersAfter(ref, 1_000);
    expect(labels(due)).toEqual([label(chatA2, 'confirm'), label(chatB, 'confirm')].sort());
    const onB = due.find((timer) => timer.key.portal === chatB.portal) as ClaimedTimer;
    expect(await ref.subject.completeTimer({ ...onB, key: chatA })).toBe(false);
    expect(await ref.subject.completeTimer({ ...onB, key: chatA2 })).toBe(false);
    expect(await ref.subject.completeTimer(onB)).toBe(true);
    expect(labels(await claimAllTimersAfter(ref, longLeaseMs))).toEqual([label(chatA2, 'confirm')]);
  });

  it('outbox entries with the same id on two portals are claimed and completed separately', async () => {
    const ref = get();
    await commitOk(ref.subject, commitFor(chatA, 0, 'a1', { effects: [effectFor(chatA, 'fx1')] }));
    await commitOk(ref.subject, commitFor(chatB, 0, 'b1', { effects: [effectFor(chatB, 'fx1')] }));
    const claimed = await claimAllEffects(ref.subject);
    expect(labels(claimed)).toEqual([label(chatA, 'fx1'), label(chatB, 'fx1')].sort());
    const onA = claimed.find((entry) => entry.key.portal === chatA.portal) as ClaimedEffect;
    expect(await ref.subject.completeEffect({ ...onA, key: chatB })).toBe(false);
    expect(await ref.subject.completeEffect(onA)).toBe(true);
    ref.clock.advance(longLeaseMs);
    expect(labels(await claimAllEffects(ref.subject))).toEqual([label(chatB, 'fx1')]);
  });
}
