import { createMemoryStore } from '@baton/core';
import type { Commit } from '@baton/core/adapter';
import { createManualClock } from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

function commitFor(
  portal: string,
  chatId: number,
  state: string,
  stateSince: number,
  extra: Partial<Commit> = {},
): Commit {
  return {
    key: { portal, chatId },
    expectedVersion: 0,
    eventId: `${portal}-${chatId}`,
    snapshot: {},
    summary: { state, stateSince },
    effects: [],
    timersToSet: [],
    timersToCancel: [],
    ...extra,
  };
}

describe('memory store inspection', () => {
  it('lists chats by state, portal and time in state, longest in state first', async () => {
    const clock = createManualClock(1_000_000);
    const store = createMemoryStore({ clock });
    await store.commit(commitFor('portal-a', 1, 'awaitingOperator', 400_000));
    await store.commit(commitFor('portal-a', 2, 'awaitingOperator', 100_000));
    await store.commit(commitFor('portal-b', 1, 'awaitingOperator', 390_000));
    await store.commit(commitFor('portal-a', 3, 'bot', 0));

    expect((await store.listChats()).map((chat) => chat.key)).toEqual([
      { portal: 'portal-a', chatId: 3 },
      { portal: 'portal-a', chatId: 2 },
      { portal: 'portal-b', chatId: 1 },
      { portal: 'portal-a', chatId: 1 },
    ]);
    // portal-a#1 has been awaiting for exactly 600 000 ms: "at least" includes it.
    expect(await store.listChats({ state: 'awaitingOperator', olderThanMs: 600_000 })).toEqual([
      { key: { portal: 'portal-a', chatId: 2 }, state: 'awaitingOperator', stateSince: 100_000, version: 1 },
      { key: { portal: 'portal-b', chatId: 1 }, state: 'awaitingOperator', stateSince: 390_000, version: 1 },
      { key: { portal: 'portal-a', chatId: 1 }, state: 'awaitingOperator', stateSince: 400_000, version: 1 },
    ]);
    expect(
      (await store.listChats({ state: 'awaitingOperator', olderThanMs: 600_001 })).map((chat) => chat.key),
    ).toEqual([
      { portal: 'portal-a', chatId: 2 },
      { portal: 'portal-b', chatId: 1 },
    ]);
    expect(await store.listChats({ state: 'awaitingOperator', portal: 'portal-b' })).toHaveLength(1);
    expect(await store.listChats({ state: 'awaitingOperator', limit: 1 })).toMatchObject([
      { key: { portal: 'portal-a', chatId: 2 } },
    ]);
    expect(await store.listChats({ state: 'closed' })).toEqual([]);
  });

  it('hands out copies of listed keys', async () => {
    const store = createMemoryStore();
    await store.commit(commitFor('portal-a', 1, 'bot', 0));
    const [listed] = await store.listChats();
    (listed?.key as { chatId: number }).chatId = 2;
    expect(await store.listChats()).toMatchObject([{ key: { portal: 'portal-a', chatId: 1 } }]);
  });

  it('counts the backlog: outbox entries, timers and due timers', async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const key = { portal: 'portal-a', chatId: 1 };
    await store.commit(
      commitFor('portal-a', 1, 'transferring', 0, {
        effects: [
          { id: 'fx1', key, call: { kind: 'handToQueue' } },
          { id: 'fx2', key, call: { kind: 'sendBotMessage', text: 'hi' } },
        ],
        timersToSet: [
          { id: 't1', key, delayMs: 100 },
          { id: 't2', key, delayMs: 1_000 },
        ],
      }),
    );
    expect(await store.backlog()).toEqual({ effects: 2, timers: 2, dueTimers: 0 });
    clock.advance(100);
    expect(await store.backlog()).toEqual({ effects: 2, timers: 2, dueTimers: 1 });
    const [effect] = await store.claimEffects({ limit: 1, leaseMs: 1_000 });
    await store.completeEffect(effect as NonNullable<typeof effect>);
    expect(await store.backlog()).toEqual({ effects: 1, timers: 2, dueTimers: 1 });
  });
});
