import { expect, it } from 'vitest';
import type { ClaimedEffect } from '../../contracts/effects.js';
import {
  chatA,
  claimAllEffects,
  commitFor,
  commitOk,
  effectFor,
  type GetStore,
  label,
  labels,
  longLeaseMs,
} from './fixtures.js';

const leaseMs = 1_000;

/** Claiming, leasing, completing, fencing and reclaiming outbox entries. */
export function registerOutboxRules(get: GetStore): void {
  it('a claim hands out each entry with its call, a fresh lease token and attempt 1', async () => {
    const { subject } = get();
    const transfer = effectFor(chatA, 'fx-transfer', {
      kind: 'transfer',
      target: { kind: 'user', userId: 7 },
      leave: false,
    });
    const message = effectFor(chatA, 'fx-message', { kind: 'sendBotMessage', text: 'Одну минуту' });
    await commitOk(subject, commitFor(chatA, 0, 'e1', { effects: [transfer, message] }));
    const claimed = await subject.claimEffects({ limit: 10, leaseMs });
    expect(claimed).toHaveLength(2);
    for (const entry of [transfer, message]) {
      const found = claimed.find((candidate) => candidate.id === entry.id);
      expect(found).toMatchObject({ id: entry.id, key: chatA, call: entry.call, attempt: 1 });
      expect(typeof found?.leaseToken).toBe('string');
      expect(found?.leaseToken.length).toBeGreaterThan(0);
    }
    expect(claimed[0]?.leaseToken).not.toBe(claimed[1]?.leaseToken);
  });

  it('a claimed entry stays invisible until its lease expires, then is reclaimed with the next attempt and a new token', async () => {
    const { subject, clock } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1', { effects: [effectFor(chatA, 'fx1')] }));
    const [first] = await subject.claimEffects({ limit: 10, leaseMs });
    clock.advance(leaseMs - 1);
    expect(await subject.claimEffects({ limit: 10, leaseMs })).toEqual([]);
    clock.advance(1);
    const [second] = await subject.claimEffects({ limit: 10, leaseMs });
    expect(second).toMatchObject({ id: 'fx1', key: chatA, attempt: 2 });
    expect(second?.leaseToken).not.toBe(first?.leaseToken);
    clock.advance(leaseMs);
    expect(await subject.claimEffects({ limit: 10, leaseMs })).toMatchObject([{ id: 'fx1', attempt: 3 }]);
  });

  it('startEffect (when the store records starts): a reclaim tells a call that may have run from one never started', async () => {
    const { subject, clock } = get();
    if (subject.startEffect === undefined) return;
    await commitOk(
      subject,
      commitFor(chatA, 0, 'e1', { effects: [effectFor(chatA, 'fx-started'), effectFor(chatA, 'fx-idle')] }),
    );
    const claimed = await subject.claimEffects({ limit: 10, leaseMs });
    expect(claimed.map((entry) => entry.startedBefore)).toEqual([false, false]);
    const started = claimed.find((entry) => entry.id === 'fx-started') as ClaimedEffect;
    expect(await subject.startEffect(started)).toBe(true);
    clock.advance(leaseMs);
    const reclaimed = await subject.claimEffects({ limit: 10, leaseMs });
    expect(reclaimed.find((entry) => entry.id === 'fx-started')).toMatchObject({
      attempt: 2,
      startedBefore: true,
    });
    expect(reclaimed.find((entry) => entry.id === 'fx-idle')).toMatchObject({
      attempt: 2,
      startedBefore: false,
    });
    // The first claim's lease is gone: it may not start the call any more.
    expect(await subject.startEffect(started)).toBe(false);
    expect(await subject.startEffect({ ...started, id: 'fx-missing' })).toBe(false);
  });

  it('completing with the current token removes the entry for good', async () => {
    const { subject, clock } = get();
    await commitOk(
      subject,
      commitFor(chatA, 0, 'e1', { effects: [effectFor(chatA, 'fx1'), effectFor(chatA, 'fx2')] }),
    );
    const claimed = await subject.claimEffects({ limit: 10, leaseMs });
    const done = claimed.find((entry) => entry.id === 'fx1') as ClaimedEffect;
    expect(await subject.completeEffect(done)).toBe(true);
    expect(await subject.completeEffect(done)).toBe(false);
    clock.advance(leaseMs * 10);
    expect(labels(await claimAllEffects(subject))).toEqual([label(chatA, 'fx2')]);
  });

  it('completing with a stale token (the lease expired and another worker reclaimed) is refused and changes nothing', async () => {
    const { subject, clock } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1', { effects: [effectFor(chatA, 'fx1')] }));
    const [stale] = (await subject.claimEffects({ limit: 10, leaseMs })) as [ClaimedEffect];
    clock.advance(leaseMs);
    const [current] = (await subject.claimEffects({ limit: 10, leaseMs })) as [ClaimedEffect];
    expect(await subject.completeEffect(stale)).toBe(false);
    // The refusal neither removed the entry nor released the current lease.
    expect(await subject.claimEffects({ limit: 10, leaseMs })).toEqual([]);
    expect(await subject.completeEffect(current)).toBe(true);
    clock.advance(leaseMs * 10);
    expect(await claimAllEffects(subject)).toEqual([]);
  });

  it('completing with a token never handed out, or an entry that does not exist, is refused', async () => {
    const { subject, clock } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1', { effects: [effectFor(chatA, 'fx1')] }));
    expect(await subject.completeEffect({ id: 'fx1', key: chatA, leaseToken: 'not-a-token' })).toBe(false);
    const [claimed] = (await subject.claimEffects({ limit: 10, leaseMs })) as [ClaimedEffect];
    expect(await subject.completeEffect({ ...claimed, leaseToken: `${claimed.leaseToken}x` })).toBe(false);
    expect(await subject.completeEffect({ ...claimed, id: 'fx-unknown' })).toBe(false);
    clock.advance(leaseMs);
    expect(await subject.claimEffects({ limit: 10, leaseMs })).toMatchObject([{ id: 'fx1', attempt: 2 }]);
  });

  it('an effect id recorded again replaces the entry: unclaimed, with the new call, and the old lease is fenced', async () => {
    const { subject } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1', { effects: [effectFor(chatA, 'fx1')] }));
    const [old] = (await subject.claimEffects({ limit: 10, leaseMs: longLeaseMs })) as [ClaimedEffect];
    const replacement = effectFor(chatA, 'fx1', { kind: 'removeBot' });
    await commitOk(subject, commitFor(chatA, 1, 'e2', { effects: [replacement] }));
    // Claimable at once although the old lease has not expired: the entry is new.
    const [fresh] = (await subject.claimEffects({ limit: 10, leaseMs })) as [ClaimedEffect];
    expect(fresh).toMatchObject({ id: 'fx1', key: chatA, call: { kind: 'removeBot' }, attempt: 1 });
    expect(await subject.completeEffect(old)).toBe(false);
    expect(await subject.completeEffect(fresh)).toBe(true);
  });

  it('a claim returns at most `limit` entries and never the same one twice', async () => {
    const { subject } = get();
    const ids = ['fx1', 'fx2', 'fx3', 'fx4', 'fx5'];
    await commitOk(
      subject,
      commitFor(chatA, 0, 'e1', { effects: ids.slice(0, 3).map((id) => effectFor(chatA, id)) }),
    );
    await commitOk(
      subject,
      commitFor(chatA, 1, 'e2', { effects: ids.slice(3).map((id) => effectFor(chatA, id)) }),
    );
    const batches: ClaimedEffect[][] = [];
    for (let round = 0; round < 4; round += 1)
      batches.push(await subject.claimEffects({ limit: 2, leaseMs: longLeaseMs }));
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1, 0]);
    expect(labels(batches.flat())).toEqual(ids.map((id) => label(chatA, id)));
  });

  it('concurrent claims never hand out one entry twice', async () => {
    const { subject } = get();
    const ids = Array.from({ length: 20 }, (_, index) => `fx${index}`);
    await commitOk(subject, commitFor(chatA, 0, 'e1', { effects: ids.map((id) => effectFor(chatA, id)) }));
    const batches = await Promise.all(
      Array.from({ length: 10 }, () => subject.claimEffects({ limit: 3, leaseMs: longLeaseMs })),
    );
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(3);
    expect(labels(batches.flat())).toEqual(ids.map((id) => label(chatA, id)).sort());
  });
}
