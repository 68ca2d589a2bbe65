import { type BatonEventInput, createEngine, createMemoryStore, isBatonError } from '@baton/core';
import type { Commit, CommitOptions, CommitResult } from '@baton/core/adapter';
import { createFakeTransport } from '@baton/core/testing';
import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import { createChatCache } from '../../src/engine/chat-cache.js';
import { createLifecycleMachine } from '../../src/machine/lifecycle-machine.js';

const portal = 'b24-cache-portal.bitrix24.de';
const clientId = 7_310_442;
let eventSeq = 100_000;

const clientSays = (chatId: number, text: string): BatonEventInput => ({
  type: 'message',
  id: `im-${++eventSeq}`,
  portal,
  chatId,
  author: { userId: clientId, kind: 'client' },
  text,
});

/** A real memory store whose calls are counted; `readsOnConflict: false` makes it a store without the option. */
function countedStore(readsOnConflict = true) {
  const store = createMemoryStore();
  const calls = { load: 0, commit: 0, conflicts: 0 };
  let failNext: Error | undefined;
  const counted = Object.assign(Object.create(store) as typeof store, {
    async load(key: Parameters<typeof store.load>[0]) {
      calls.load += 1;
      return store.load(key);
    },
    async commit(commit: Commit, options?: CommitOptions): Promise<CommitResult> {
      calls.commit += 1;
      if (failNext) {
        const error = failNext;
        failNext = undefined;
        throw error;
      }
      const result = readsOnConflict ? await store.commit(commit, options) : await store.commit(commit);
      if (result.status === 'conflict') calls.conflicts += 1;
      return result;
    },
  });
  return {
    store: counted,
    calls,
    /** The next commit fails before reaching the store. */
    failNextCommit: (error: Error) => {
      failNext = error;
    },
    reset: () => Object.assign(calls, { load: 0, commit: 0, conflicts: 0 }),
  };
}

function engineOn(store: ReturnType<typeof countedStore>['store'], chatCacheSize?: number) {
  return createEngine({
    transport: createFakeTransport(),
    store,
    ...(chatCacheSize === undefined ? {} : { worker: { chatCacheSize } }),
  });
}

describe('the worker chat cache', () => {
  const [snapshot] = initialTransition(createLifecycleMachine(), { portal, chatId: 1_000_001 });
  const chat = (version: number) => ({ version, snapshot, summary: { state: 'bot', stateSince: 1 } });
  const key = (chatId: number) => ({ portal, chatId });

  it('drops the least recently used chat beyond its capacity', () => {
    const cache = createChatCache(2, 10_000, () => 0);
    cache.put(key(1_000_001), chat(1));
    cache.put(key(1_000_002), chat(1));
    expect(cache.get(key(1_000_001))?.version).toBe(1);
    cache.put(key(1_000_003), chat(1));
    expect(cache.size).toBe(2);
    expect(cache.get(key(1_000_002))).toBeUndefined();
    expect(cache.get(key(1_000_001))?.version).toBe(1);
    expect(cache.get(key(1_000_003))?.version).toBe(1);
  });

  it('keeps the newer version, forgets up to a version, ages copies out, and caches nothing at size 0', () => {
    let now = 0;
    const cache = createChatCache(10, 10_000, () => now);
    cache.put(key(1_000_001), chat(5));
    cache.put(key(1_000_001), chat(4));
    expect(cache.get(key(1_000_001))?.version).toBe(5);
    cache.forget(key(1_000_001), 4);
    expect(cache.get(key(1_000_001))?.version).toBe(5);
    cache.forget(key(1_000_001), 5);
    expect(cache.get(key(1_000_001))).toBeUndefined();
    cache.put(key(1_000_001), chat(6));
    now = 10_001;
    expect(cache.get(key(1_000_001))).toBeUndefined();
    expect(cache.size).toBe(0);
    const none = createChatCache(0, 10_000, () => 0);
    none.put(key(1_000_001), chat(1));
    expect(none.get(key(1_000_001))).toBeUndefined();
  });
});

describe('store calls per event with the chat cache', () => {
  it('a client message on a warm chat costs one commit and no load', async () => {
    const counted = countedStore();
    const engine = engineOn(counted.store);
    await engine.dispatch(clientSays(4_200_101, 'Здравствуйте'));
    counted.reset();
    const result = await engine.dispatch(clientSays(4_200_101, 'Where is my order 5530127?'));
    expect(result).toMatchObject({ status: 'applied', state: 'bot', route: 'bot', version: 2 });
    expect(counted.calls).toEqual({ load: 0, commit: 1, conflicts: 0 });
  });

  it('chatCacheSize 0 loads before every commit', async () => {
    const counted = countedStore();
    const engine = engineOn(counted.store, 0);
    await engine.dispatch(clientSays(4_200_102, 'Здравствуйте'));
    counted.reset();
    await engine.dispatch(clientSays(4_200_102, 'Hello?'));
    expect(counted.calls).toEqual({ load: 1, commit: 1, conflicts: 0 });
  });

  it('another worker committing in between costs one more commit and no load when the store reads on conflict', async () => {
    const counted = countedStore();
    const first = engineOn(counted.store);
    const second = engineOn(counted.store);
    await first.dispatch(clientSays(4_200_103, 'Здравствуйте'));
    await second.dispatch(clientSays(4_200_103, 'Hello from the other tab'));
    counted.reset();
    const result = await first.dispatch(clientSays(4_200_103, 'Still there?'));
    expect(result).toMatchObject({ status: 'applied', version: 3 });
    expect(counted.calls).toEqual({ load: 0, commit: 2, conflicts: 1 });
    expect((await first.getChat({ portal, chatId: 4_200_103 }))?.version).toBe(3);
  });

  it('a store without readOnConflict still works: the conflict costs a load and a commit', async () => {
    const counted = countedStore(false);
    const first = engineOn(counted.store);
    const second = engineOn(counted.store);
    await first.dispatch(clientSays(4_200_104, 'Здравствуйте'));
    await second.dispatch(clientSays(4_200_104, 'Hello from the other tab'));
    counted.reset();
    expect(await first.dispatch(clientSays(4_200_104, 'Still there?'))).toMatchObject({ version: 3 });
    expect(counted.calls).toEqual({ load: 1, commit: 2, conflicts: 1 });
  });

  it('a failed commit forgets the chat: the next event reads it again', async () => {
    const counted = countedStore();
    const engine = engineOn(counted.store);
    await engine.dispatch(clientSays(4_200_105, 'Здравствуйте'));
    counted.failNextCommit(new Error('connection reset'));
    await expect(engine.dispatch(clientSays(4_200_105, 'Hello?'))).rejects.toThrow('connection reset');
    counted.reset();
    await engine.dispatch(clientSays(4_200_105, 'Hello again?'));
    expect(counted.calls).toEqual({ load: 1, commit: 1, conflicts: 0 });
  });

  it('resetChat forgets the chat: the next event reads it again and does not conflict', async () => {
    const counted = countedStore();
    const engine = engineOn(counted.store);
    await engine.dispatch(clientSays(4_200_106, 'Здравствуйте'));
    await engine.resetChat({ portal, chatId: 4_200_106 }, 'support ticket 881204');
    counted.reset();
    expect(await engine.dispatch(clientSays(4_200_106, 'Hello?'))).toMatchObject({ version: 3 });
    expect(counted.calls).toEqual({ load: 1, commit: 1, conflicts: 0 });
  });

  it('a duplicate on a cached chat reports the chat as the store has it', async () => {
    const counted = countedStore();
    const first = engineOn(counted.store);
    const second = engineOn(counted.store);
    const event = clientSays(4_200_107, 'Здравствуйте');
    await first.dispatch(clientSays(4_200_107, 'Hi'));
    await second.dispatch(event);
    expect(await first.dispatch(event)).toMatchObject({ status: 'duplicate', version: 2, changed: false });
  });

  it('refuses a chatCacheSize that is not a whole number from 0 to 1,000,000', () => {
    for (const chatCacheSize of [-1, 1.5, 1_000_001]) {
      let error: unknown;
      try {
        engineOn(countedStore().store, chatCacheSize);
      } catch (caught) {
        error = caught;
      }
      expect(isBatonError(error, 'INVALID_INPUT'), String(chatCacheSize)).toBe(true);
    }
  });
});
