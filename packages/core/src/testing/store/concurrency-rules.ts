import { expect, it } from 'vitest';
import type { CommitResult } from '../../contracts/store.js';
import {
  chatA,
  claimAllEffects,
  commitFor,
  commitOk,
  effectFor,
  type GetStore,
  label,
  labels,
} from './fixtures.js';

const writers = 8;
const incrementsPerWriter = 25;

/** Versioned commits under contention: one winner per version, no lost update. */
export function registerConcurrencyRules(get: GetStore): void {
  it('of concurrent commits expecting the same version, exactly one is committed', async () => {
    const { subject } = get();
    await commitOk(subject, commitFor(chatA, 0, 'e0'));
    const contenders = Array.from({ length: 10 }, (_, index) =>
      commitFor(chatA, 1, `contender-${index}`, {
        snapshot: { winner: index },
        effects: [effectFor(chatA, `fx-${index}`)],
      }),
    );
    const results = await Promise.all(contenders.map((commit) => subject.commit(commit)));
    const winners = results.flatMap((result, index) => (result.status === 'committed' ? [index] : []));
    expect(winners).toHaveLength(1);
    const winner = winners[0] as number;
    expect(results[winner]).toEqual({ status: 'committed', version: 2 });
    for (const [index, result] of results.entries()) {
      if (index !== winner) expect(result).toEqual({ status: 'conflict', currentVersion: 2 });
    }
    expect(await subject.load(chatA)).toMatchObject({ snapshot: { winner }, version: 2 });
    expect(labels(await claimAllEffects(subject))).toEqual([label(chatA, `fx-${winner}`)]);
  });

  it(`${writers} writers doing load → commit → retry on conflict, ${incrementsPerWriter} times each, lose no update`, async () => {
    const { subject } = get();
    const increment = async (writer: number, step: number): Promise<void> => {
      for (;;) {
        const loaded = await subject.load(chatA);
        const counter = ((loaded?.snapshot as { counter?: number } | undefined)?.counter ?? 0) + 1;
        const id = `w${writer}-${step}`;
        const result: CommitResult = await subject.commit(
          commitFor(chatA, loaded?.version ?? 0, id, {
            snapshot: { counter },
            effects: [effectFor(chatA, id)],
          }),
        );
        if (result.status === 'committed') return;
        expect(result.status).toBe('conflict');
      }
    };
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let step = 0; step < incrementsPerWriter; step += 1) await increment(writer, step);
      }),
    );
    const total = writers * incrementsPerWriter;
    expect(await subject.load(chatA)).toMatchObject({ snapshot: { counter: total }, version: total });
    expect(new Set(labels(await claimAllEffects(subject))).size).toBe(total);
  });
}
