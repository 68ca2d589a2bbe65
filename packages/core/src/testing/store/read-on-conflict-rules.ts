import { expect, it } from 'vitest';
import type { CommitResult, StoredChat } from '../../contracts/store.js';
import { chatA, chatA2, commitFor, commitOk, effectFor, type GetStore, timerFor } from './fixtures.js';

/** What a conflict answered as the chat's current record (`undefined`: nothing answered). */
function answered(result: CommitResult): StoredChat | null | undefined {
  expect(result.status).toBe('conflict');
  return result.status === 'conflict' ? result.current : undefined;
}

/**
 * `commit(…, { readOnConflict: true })`. A store that `reads` must answer the chat as it is now
 * with every conflict; one that does not may leave `current` out, but never answers a wrong one.
 */
export function registerReadOnConflictRules(get: GetStore, reads: boolean): void {
  it('a conflict read on conflict answers the chat as load has it: snapshot, version, summary with holder', async () => {
    const { subject } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1'));
    const summary = { state: 'operator', stateSince: 1_700_000_555_000, holder: 104_233 };
    const snapshot = { value: 'operator', context: { operatorId: 104_233, text: 'Здравствуйте 👋' } };
    await commitOk(subject, commitFor(chatA, 1, 'e2', { snapshot, summary }));
    const stale = commitFor(chatA, 1, 'e3', { effects: [effectFor(chatA, 'fx-late')] });
    const current = answered(await subject.commit(stale, { readOnConflict: true }));
    if (reads) expect(current).toEqual({ snapshot, version: 2, summary });
    else if (current !== undefined) expect(current).toEqual(await subject.load(chatA));
    expect(await subject.load(chatA)).toEqual({ snapshot, version: 2, summary });
  });

  it('a conflict read on conflict on a chat with no record answers null; without the option nothing', async () => {
    const { subject } = get();
    const result = await subject.commit(commitFor(chatA2, 4, 'e1'), { readOnConflict: true });
    expect(result).toMatchObject({ status: 'conflict', currentVersion: 0 });
    const current = answered(result);
    if (reads) expect(current).toBeNull();
    else expect(current === undefined || current === null).toBe(true);
    await commitOk(subject, commitFor(chatA, 0, 'e1'));
    expect(await subject.commit(commitFor(chatA, 3, 'e2'))).toEqual({
      status: 'conflict',
      currentVersion: 1,
    });
  });

  it('readOnConflict changes nothing else: a matching version commits, a duplicate is a duplicate', async () => {
    const { subject } = get();
    const first = commitFor(chatA, 0, 'e1', { timersToSet: [timerFor(chatA, 't1', 5_000)] });
    expect(await subject.commit(first, { readOnConflict: true })).toEqual({
      status: 'committed',
      version: 1,
    });
    expect(await subject.commit(first, { readOnConflict: true })).toEqual({ status: 'duplicate' });
    expect(await subject.commit(commitFor(chatA, 1, 'e2'), { readOnConflict: false })).toEqual({
      status: 'committed',
      version: 2,
    });
  });

  it('commit options that are not `{ readOnConflict?: boolean }` are refused and change nothing', async () => {
    const { subject } = get();
    const bad = [{ readOnConflict: 'yes' }, { readOnConflict: true, extra: 1 }, 'readOnConflict'];
    for (const options of bad) {
      await expect(subject.commit(commitFor(chatA, 0, 'e1'), options as never)).rejects.toThrow();
    }
    expect(await subject.load(chatA)).toBeUndefined();
  });
}
