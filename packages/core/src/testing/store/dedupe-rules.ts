import { expect, it } from 'vitest';
import { chatA, commitFor, commitOk, type GetStore } from './fixtures.js';

/** An event id is remembered for the whole dedupe window and may be used again after it. */
export function registerDedupeWindowRules(get: GetStore, dedupeTtlMs: number): void {
  it(`remembers an event id for the dedupe window (${dedupeTtlMs} ms) and forgets it after`, async () => {
    const { subject, clock } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e1'));
    clock.advance(dedupeTtlMs - 1);
    expect(await subject.commit(commitFor(chatA, 1, 'e1'))).toEqual({ status: 'duplicate' });
    clock.advance(2);
    await commitOk(subject, commitFor(chatA, 1, 'e1'));
    expect(await subject.commit(commitFor(chatA, 2, 'e1'))).toEqual({ status: 'duplicate' });
  });
}
