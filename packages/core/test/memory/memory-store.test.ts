import { createMemoryStore, isBatonError } from '@baton/core';
import type { Commit } from '@baton/core/adapter';
import { createManualClock } from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

const chat = { portal: 'portal-a', chatId: 1 };
const otherPortalChat = { portal: 'portal-b', chatId: 1 };

function commitFor(
  key: typeof chat,
  expectedVersion: number,
  eventId: string,
  extra: Partial<Commit> = {},
): Commit {
  return {
    key,
    expectedVersion,
    eventId,
    snapshot: { step: expectedVersion + 1 },
    summary: { state: 'bot', stateSince: 0 },
    effects: [],
    timersToSet: [],
    timersToCancel: [],
    ...extra,
  };
}

async function expectInvalid(promise: Promise<unknown>, issue: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isBatonError(error, 'INVALID_INPUT')).toBe(true);
  if (isBatonError(error)) expect(error.context.issues?.join('\n')).toMatch(issue);
}

describe('createMemoryStore', () => {
  it('rejects a commit that writes into another chat’s outbox or timers, and changes nothing', async () => {
    const store = createMemoryStore({ clock: createManualClock() });
    await expectInvalid(
      store.commit(
        commitFor(chat, 0, 'e1', {
          effects: [{ id: 'fx', key: otherPortalChat, call: { kind: 'removeBot' } }],
        }),
      ),
      /effects\.0\.key: must equal the commit key/,
    );
    await expectInvalid(
      store.commit(
        commitFor(chat, 0, 'e1', { timersToSet: [{ id: 't', key: otherPortalChat, delayMs: 0 }] }),
      ),
      /timersToSet\.0\.key/,
    );
    expect(await store.load(chat)).toBeUndefined();
    expect(await store.backlog()).toEqual({ effects: 0, timers: 0, dueTimers: 0 });
  });

  it('rejects duplicate ids within one commit and snapshots that JSON cannot hold', async () => {
    const store = createMemoryStore();
    const effect = { id: 'fx', key: chat, call: { kind: 'removeBot' } } as const;
    await expectInvalid(
      store.commit(commitFor(chat, 0, 'e1', { effects: [effect, effect] })),
      /duplicate id fx/,
    );
    await expectInvalid(
      store.commit(commitFor(chat, 0, 'e1', { snapshot: { big: 1n } })),
      /JSON-serialisable/,
    );
    await expectInvalid(store.commit(commitFor(chat, 0, 'e1', { snapshot: undefined })), /JSON-serialisable/);
    expect(await store.load(chat)).toBeUndefined();
  });

  it('rejects bad arguments to every other method with INVALID_INPUT', async () => {
    const store = createMemoryStore();
    await expectInvalid(store.load({ portal: '', chatId: 1 }), /portal/);
    await expectInvalid(store.claimEffects({ limit: 0, leaseMs: 1_000 }), /limit/);
    await expectInvalid(store.claimDueTimers({ limit: 1, visibilityMs: -1 }), /visibilityMs/);
    await expectInvalid(store.completeEffect({ id: 'fx', key: chat, leaseToken: '' }), /leaseToken/);
    await expectInvalid(store.nextInRotation('portal-a', ''), /rotation/);
    await expectInvalid(store.readBusy('portal-a', [7.5]), /expected int/);
    await expectInvalid(store.repairBusyCounts(''), /portal/);
    await expectInvalid(
      store.commit(commitFor(chat, 0, 'e1', { summary: { state: 'operator', stateSince: 1, holder: 0 } })),
      /holder/,
    );
    await expectInvalid(store.commit(commitFor(chat, 0, 'e1', { maxChats: 0 })), /maxChats/);
    await expectInvalid(store.listChats({ limit: -1 }), /limit/);
  });

  it('repairBusyCounts recomputes the counts from the chats’ holders and finds nothing to change after commits', async () => {
    const store = createMemoryStore();
    const holding = (state: string, holder?: number) => ({
      summary: { state, stateSince: 1_700_000_000_000, ...(holder === undefined ? {} : { holder }) },
    });
    const a1 = { portal: 'portal-a', chatId: 610_001 };
    const a2 = { portal: 'portal-a', chatId: 610_002 };
    const b1 = { portal: 'portal-b', chatId: 610_001 };
    await store.commit(commitFor(a1, 0, 'a1-1', holding('transferring', 7)));
    await store.commit(commitFor(a2, 0, 'a2-1', holding('operator', 7)));
    await store.commit(commitFor(b1, 0, 'b1-1', holding('operator', 8)));
    await store.commit(commitFor(a1, 1, 'a1-2', holding('closed')));
    expect(await store.repairBusyCounts()).toEqual({ chats: 3, corrected: [] });
    expect(await store.repairBusyCounts('portal-b')).toEqual({ chats: 1, corrected: [] });
    expect(await store.readBusy('portal-a', [7])).toEqual(new Map([[7, 1]]));
  });

  it('rejects bad options at once', () => {
    expect(() => createMemoryStore({ dedupeTtlMs: 0 })).toThrow(/dedupeTtlMs/);
    expect(() => createMemoryStore({ clock: {} as never })).toThrow(/clock/);
  });

  it('remembers event ids for 7 days by default', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    await store.commit(commitFor(chat, 0, 'e1'));
    clock.advance(7 * 24 * 60 * 60 * 1000 - 1);
    expect(await store.commit(commitFor(chat, 1, 'e1'))).toEqual({ status: 'duplicate' });
    clock.advance(1);
    expect(await store.commit(commitFor(chat, 1, 'e1'))).toEqual({ status: 'committed', version: 2 });
  });

  it('hands out copies of claimed calls', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const call = { kind: 'transfer', target: { kind: 'user', userId: 7 }, leave: true } as const;
    await store.commit(commitFor(chat, 0, 'e1', { effects: [{ id: 'fx', key: chat, call }] }));
    const [claimed] = await store.claimEffects({ limit: 1, leaseMs: 100 });
    if (claimed === undefined) throw new Error('expected a claimed entry');
    (claimed.call as { target: { userId: number } }).target.userId = 99;
    (claimed.key as { chatId: number }).chatId = 99;
    clock.advance(100);
    expect(await store.claimEffects({ limit: 1, leaseMs: 100 })).toMatchObject([{ key: chat, call }]);
  });

  it('a re-recorded effect id replaces the entry: the old lease cannot complete it, the new one runs from attempt 1', async () => {
    const store = createMemoryStore({ clock: createManualClock() });
    await store.commit(
      commitFor(chat, 0, 'e1', { effects: [{ id: 'fx', key: chat, call: { kind: 'removeBot' } }] }),
    );
    const [old] = await store.claimEffects({ limit: 1, leaseMs: 10_000 });
    await store.commit(
      commitFor(chat, 1, 'e2', { effects: [{ id: 'fx', key: chat, call: { kind: 'finishSession' } }] }),
    );
    expect(await store.completeEffect(old as NonNullable<typeof old>)).toBe(false);
    expect(await store.claimEffects({ limit: 5, leaseMs: 10_000 })).toMatchObject([
      { id: 'fx', attempt: 1, call: { kind: 'finishSession' } },
    ]);
  });

  it('cancelling and setting one timer id in one commit restarts it', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    await store.commit(commitFor(chat, 0, 'e1', { timersToSet: [{ id: 't', key: chat, delayMs: 100 }] }));
    await store.commit(
      commitFor(chat, 1, 'e2', {
        timersToCancel: ['t'],
        timersToSet: [{ id: 't', key: chat, delayMs: 500 }],
      }),
    );
    clock.advance(499);
    expect(await store.claimDueTimers({ limit: 5, visibilityMs: 100 })).toEqual([]);
    clock.advance(1);
    expect(await store.claimDueTimers({ limit: 5, visibilityMs: 100 })).toHaveLength(1);
  });

  it('close is idempotent; a closed store refuses work with STORE_FAILURE', async () => {
    const store = createMemoryStore();
    await store.close();
    await store.close();
    const error: unknown = await store.load(chat).catch((caught: unknown) => caught);
    expect(isBatonError(error, 'STORE_FAILURE')).toBe(true);
    await expect(store.commit(commitFor(chat, 0, 'e1'))).rejects.toThrow(/closed/);
    await expect(store.backlog()).rejects.toThrow(/closed/);
  });
});
