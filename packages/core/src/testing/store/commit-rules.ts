import { expect, it } from 'vitest';
import type { Commit } from '../../contracts/store.js';
import {
  chatA,
  claimAllEffects,
  claimAllTimersAfter,
  commitFor,
  commitOk,
  effectFor,
  type GetStore,
  label,
  labels,
  timerFor,
} from './fixtures.js';

/** Versions, snapshots, conflicts, duplicates, copies and bad input. */
export function registerCommitRules(get: GetStore): void {
  it('load of a chat never committed is undefined', async () => {
    expect(await get().subject.load(chatA)).toBeUndefined();
  });

  it('the first commit, at version 0, creates the chat at version 1; load round-trips snapshot and summary', async () => {
    const { subject } = get();
    const snapshot = {
      value: { awaitingOperator: 'waiting' },
      list: [1, 'two', null, true],
      text: 'Привет 👋',
    };
    const summary = { state: 'awaitingOperator', stateSince: 1_700_000_123_456 };
    expect(await subject.commit(commitFor(chatA, 0, 'e1', { snapshot, summary }))).toEqual({
      status: 'committed',
      version: 1,
    });
    expect(await subject.load(chatA)).toEqual({ snapshot, summary, version: 1 });
  });

  it('every commit adds 1 to the version and replaces snapshot and summary', async () => {
    const { subject } = get();
    for (let version = 0; version < 3; version += 1)
      await commitOk(subject, commitFor(chatA, version, `e${version}`));
    const last = commitFor(chatA, 3, 'e3', {
      snapshot: { last: true },
      summary: { state: 'operator', stateSince: 9 },
    });
    expect(await subject.commit(last)).toEqual({ status: 'committed', version: 4 });
    expect(await subject.load(chatA)).toEqual({
      snapshot: { last: true },
      summary: last.summary,
      version: 4,
    });
  });

  it('a first commit that expects an existing version is a conflict, creates nothing and records no event id', async () => {
    const ref = get();
    const commit = commitFor(chatA, 3, 'e1', {
      effects: [effectFor(chatA, 'fx1')],
      timersToSet: [timerFor(chatA, 't1', 0)],
    });
    expect(await ref.subject.commit(commit)).toEqual({ status: 'conflict', currentVersion: 0 });
    expect(await ref.subject.load(chatA)).toBeUndefined();
    expect(await claimAllEffects(ref.subject)).toEqual([]);
    expect(await claimAllTimersAfter(ref, 1_000)).toEqual([]);
    await commitOk(ref.subject, { ...commit, expectedVersion: 0 });
  });

  for (const wrongVersion of [0, 2, 7]) {
    it(`a conflict (expecting ${wrongVersion} at version 1) changes nothing: snapshot, outbox, timers, dedupe`, async () => {
      const ref = get();
      const first = commitFor(chatA, 0, 'e1', {
        effects: [effectFor(chatA, 'fx1')],
        timersToSet: [timerFor(chatA, 't1', 1_000)],
      });
      await commitOk(ref.subject, first);
      const rejected = commitFor(chatA, wrongVersion, 'e2', {
        snapshot: { overwritten: true },
        summary: { state: 'closed', stateSince: 5 },
        effects: [effectFor(chatA, 'fx2')],
        timersToSet: [timerFor(chatA, 't2', 0)],
        timersToCancel: ['t1'],
      });
      expect(await ref.subject.commit(rejected)).toEqual({ status: 'conflict', currentVersion: 1 });
      expect(await ref.subject.load(chatA)).toEqual({
        snapshot: first.snapshot,
        summary: first.summary,
        version: 1,
      });
      expect(labels(await claimAllEffects(ref.subject))).toEqual([label(chatA, 'fx1')]);
      expect(labels(await claimAllTimersAfter(ref, 1_000))).toEqual([label(chatA, 't1')]);
      // The refused event id was not recorded: the same event at the right version applies.
      await commitOk(ref.subject, { ...rejected, expectedVersion: 1 });
    });
  }

  for (const expectedVersion of [1, 0, 7]) {
    it(`a seen event id is a duplicate, even expecting version ${expectedVersion}, and changes nothing`, async () => {
      const ref = get();
      const first = commitFor(chatA, 0, 'e1', {
        effects: [effectFor(chatA, 'fx1')],
        timersToSet: [timerFor(chatA, 't1', 1_000)],
      });
      await commitOk(ref.subject, first);
      const again = commitFor(chatA, expectedVersion, 'e1', {
        snapshot: { overwritten: true },
        effects: [effectFor(chatA, 'fx2')],
        timersToSet: [timerFor(chatA, 't2', 0)],
        timersToCancel: ['t1'],
      });
      expect(await ref.subject.commit(again)).toEqual({ status: 'duplicate' });
      expect(await ref.subject.load(chatA)).toEqual({
        snapshot: first.snapshot,
        summary: first.summary,
        version: 1,
      });
      expect(labels(await claimAllEffects(ref.subject))).toEqual([label(chatA, 'fx1')]);
      expect(labels(await claimAllTimersAfter(ref, 1_000))).toEqual([label(chatA, 't1')]);
    });
  }

  it('the same commit sent twice, one after the other or at once, applies once', async () => {
    const ref = get();
    const commit = commitFor(chatA, 0, 'e1', { effects: [effectFor(chatA, 'fx1')] });
    await commitOk(ref.subject, commit);
    expect(await ref.subject.commit(commit)).toEqual({ status: 'duplicate' });

    const next = commitFor(chatA, 1, 'e2', { effects: [effectFor(chatA, 'fx2')] });
    const results = await Promise.all([ref.subject.commit(next), ref.subject.commit(next)]);
    expect(results).toContainEqual({ status: 'committed', version: 2 });
    expect(results.filter((result) => result.status === 'committed')).toHaveLength(1);
    expect((await ref.subject.load(chatA))?.version).toBe(2);
    expect(labels(await claimAllEffects(ref.subject))).toEqual([label(chatA, 'fx1'), label(chatA, 'fx2')]);
  });

  it('hands out copies: changing what was committed or loaded does not change the store', async () => {
    const { subject } = get();
    const commit = commitFor(chatA, 0, 'e1', {
      snapshot: { nested: { list: [1, 2] } },
      summary: { state: 'bot', stateSince: 1 },
    });
    await commitOk(subject, commit);
    (commit.snapshot as { nested: { list: number[] } }).nested.list.push(3);
    (commit.summary as { state: string }).state = 'mutated';
    const loaded = await subject.load(chatA);
    if (loaded === undefined) throw new Error('the committed chat did not load');
    (loaded.snapshot as { nested: { list: number[] } }).nested.list.push(4);
    (loaded.summary as { state: string }).state = 'mutated';
    expect(await subject.load(chatA)).toEqual({
      snapshot: { nested: { list: [1, 2] } },
      summary: { state: 'bot', stateSince: 1 },
      version: 1,
    });
  });

  it('rejects a malformed commit and changes nothing', async () => {
    const ref = get();
    const first = commitFor(chatA, 0, 'e1', { effects: [effectFor(chatA, 'fx1')] });
    await commitOk(ref.subject, first);
    const valid = commitFor(chatA, 1, 'e2', { effects: [effectFor(chatA, 'fx2')] });
    const malformed: unknown[] = [
      { ...valid, expectedVersion: -1 },
      { ...valid, expectedVersion: 1.5 },
      { ...valid, eventId: '' },
      { ...valid, key: { portal: chatA.portal, chatId: 0 } },
      { ...valid, key: { portal: '', chatId: chatA.chatId } },
      { ...valid, effects: [{ id: 'fx3', key: chatA, call: { kind: 'noSuchCall' } }] },
      { ...valid, timersToSet: [{ id: 't1', key: chatA, delayMs: -5 }] },
    ];
    for (const commit of malformed) await expect(ref.subject.commit(commit as Commit)).rejects.toThrow();
    expect(await ref.subject.load(chatA)).toEqual({
      snapshot: first.snapshot,
      summary: first.summary,
      version: 1,
    });
    expect(labels(await claimAllEffects(ref.subject))).toEqual([label(chatA, 'fx1')]);
    expect(await claimAllTimersAfter(ref, 1_000)).toEqual([]);
    await commitOk(ref.subject, valid);
  });
}
