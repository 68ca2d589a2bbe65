import { expect, it } from 'vitest';
import type { ClaimedTimer } from '../../contracts/effects.js';
import {
  chatA,
  claimAllTimersAfter,
  commitFor,
  commitOk,
  type GetStore,
  label,
  labels,
  longLeaseMs,
  timerFor,
} from './fixtures.js';

const visibilityMs = 500;

/** Due times, replacing, cancelling, visibility and fencing of durable timers. */
export function registerTimerRules(get: GetStore): void {
  const claim = (limit = 10) => get().subject.claimDueTimers({ limit, visibilityMs });

  it('a timer is due only once its delay, counted from the commit, has passed', async () => {
    const { subject, clock } = get();
    const committedAt = clock.now();
    await commitOk(subject, commitFor(chatA, 0, 'e1', { timersToSet: [timerFor(chatA, 'confirm', 1_000)] }));
    expect(await claim()).toEqual([]);
    clock.advance(999);
    expect(await claim()).toEqual([]);
    clock.advance(1);
    const [due] = await claim();
    expect(due).toMatchObject({ id: 'confirm', key: chatA, dueAt: committedAt + 1_000 });
    expect(typeof due?.leaseToken).toBe('string');
    expect(due?.leaseToken.length).toBeGreaterThan(0);
  });

  it('a timer with no delay is due at once', async () => {
    const { subject } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1', { timersToSet: [timerFor(chatA, 'now', 0)] }));
    expect(labels(await claim())).toEqual([label(chatA, 'now')]);
  });

  it('setting an existing timer id replaces it, later or sooner', async () => {
    const { subject, clock } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1', { timersToSet: [timerFor(chatA, 'confirm', 1_000)] }));
    clock.advance(100);
    const replacedAt = clock.now();
    await commitOk(subject, commitFor(chatA, 1, 'e2', { timersToSet: [timerFor(chatA, 'confirm', 5_000)] }));
    clock.advance(900);
    expect(await claim()).toEqual([]);
    clock.advance(4_100);
    const [confirm] = await claim();
    expect(confirm).toMatchObject({ id: 'confirm', dueAt: replacedAt + 5_000 });
    expect(await subject.completeTimer(confirm as ClaimedTimer)).toBe(true);

    await commitOk(subject, commitFor(chatA, 2, 'e3', { timersToSet: [timerFor(chatA, 'poll', 10_000)] }));
    await commitOk(subject, commitFor(chatA, 3, 'e4', { timersToSet: [timerFor(chatA, 'poll', 10)] }));
    clock.advance(10);
    const [poll] = await claim();
    expect(poll).toMatchObject({ id: 'poll', dueAt: clock.now() });
    expect(await subject.completeTimer(poll as ClaimedTimer)).toBe(true);
    // Only one timer of that id ever existed: nothing is left at the first one's due time.
    expect(await claimAllTimersAfter(get(), 10_000)).toEqual([]);
  });

  it('cancelling removes a timer; unknown ids are ignored', async () => {
    const ref = get();
    await commitOk(
      ref.subject,
      commitFor(chatA, 0, 'e1', {
        timersToSet: [timerFor(chatA, 't1', 1_000), timerFor(chatA, 't2', 1_000)],
      }),
    );
    await commitOk(ref.subject, commitFor(chatA, 1, 'e2', { timersToCancel: ['t1', 'never-set'] }));
    expect(labels(await claimAllTimersAfter(ref, 1_000))).toEqual([label(chatA, 't2')]);
  });

  it('a claimed timer is invisible until its visibility expires, then claimable again with a new token', async () => {
    const { subject, clock } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1', { timersToSet: [timerFor(chatA, 'confirm', 0)] }));
    const [first] = await claim();
    clock.advance(visibilityMs - 1);
    expect(await claim()).toEqual([]);
    clock.advance(1);
    const [second] = await claim();
    expect(second).toMatchObject({ id: 'confirm', key: chatA, dueAt: first?.dueAt });
    expect(second?.leaseToken).not.toBe(first?.leaseToken);
  });

  it('completing with the current token removes the timer; a stale token is refused and changes nothing', async () => {
    const ref = get();
    await commitOk(ref.subject, commitFor(chatA, 0, 'e1', { timersToSet: [timerFor(chatA, 'confirm', 0)] }));
    const [stale] = (await claim()) as [ClaimedTimer];
    ref.clock.advance(visibilityMs);
    const [current] = (await claim()) as [ClaimedTimer];
    expect(await ref.subject.completeTimer(stale)).toBe(false);
    expect(await ref.subject.completeTimer({ ...current, leaseToken: 'not-a-token' })).toBe(false);
    expect(await claim()).toEqual([]);
    expect(await ref.subject.completeTimer(current)).toBe(true);
    expect(await ref.subject.completeTimer(current)).toBe(false);
    expect(await claimAllTimersAfter(ref, visibilityMs * 10)).toEqual([]);
  });

  it('a timer cancelled or replaced while claimed cannot be completed; the replacement still fires', async () => {
    const ref = get();
    await commitOk(
      ref.subject,
      commitFor(chatA, 0, 'e1', {
        timersToSet: [timerFor(chatA, 'cancelled', 0), timerFor(chatA, 'replaced', 0)],
      }),
    );
    const claimed = await claim();
    const byId = (id: string) => claimed.find((timer) => timer.id === id) as ClaimedTimer;
    const replacedAt = ref.clock.now();
    await commitOk(
      ref.subject,
      commitFor(chatA, 1, 'e2', {
        timersToCancel: ['cancelled'],
        timersToSet: [timerFor(chatA, 'replaced', 2_000)],
      }),
    );
    expect(await ref.subject.completeTimer(byId('cancelled'))).toBe(false);
    expect(await ref.subject.completeTimer(byId('replaced'))).toBe(false);
    expect(await claimAllTimersAfter(ref, 1_999)).toEqual([]);
    const [replacement] = await claimAllTimersAfter(ref, 1);
    expect(replacement).toMatchObject({ id: 'replaced', dueAt: replacedAt + 2_000 });
    expect(await ref.subject.completeTimer(replacement as ClaimedTimer)).toBe(true);
  });

  it('a claim returns at most `limit` due timers and never the same one twice, even concurrently', async () => {
    const { subject } = get();
    const ids = Array.from({ length: 12 }, (_, index) => `t${index}`);
    await commitOk(
      subject,
      commitFor(chatA, 0, 'e1', { timersToSet: ids.map((id) => timerFor(chatA, id, 0)) }),
    );
    const first = await subject.claimDueTimers({ limit: 2, visibilityMs: longLeaseMs });
    expect(first).toHaveLength(2);
    const batches = await Promise.all(
      Array.from({ length: 6 }, () => subject.claimDueTimers({ limit: 3, visibilityMs: longLeaseMs })),
    );
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(3);
    expect(labels([...first, ...batches.flat()])).toEqual(ids.map((id) => label(chatA, id)).sort());
    expect(await subject.claimDueTimers({ limit: 2, visibilityMs: longLeaseMs })).toEqual([]);
  });
}
