import { createEngine, createMemoryStore, fixedTarget, isBatonError, roundRobin } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

const invalid = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

describe('createEngine options', () => {
  it('requires a transport and names every problem', () => {
    const error = invalid(() => createEngine({} as never));
    expect(isBatonError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/transport/);
  });

  it('refuses nonsense values with INVALID_INPUT', () => {
    const transport = createFakeTransport();
    for (const options of [
      { transport, whileAwaiting: 'sometimes' },
      { transport, defaults: { confirmationTimeoutMs: -5 } },
      { transport, worker: { batchSize: 0 } },
      { transport, store: { load: 1 } },
      { transport, confirmationPollIntervalMs: 5 },
    ]) {
      expect(
        isBatonError(
          invalid(() => createEngine(options as never)),
          'INVALID_INPUT',
        ),
      ).toBe(true);
    }
  });

  it('uses the store as scheduler and counters when it implements them', async () => {
    const store = createMemoryStore();
    const engine = createEngine({ transport: createFakeTransport(), store });
    const result = await engine.dispatch({
      type: 'message',
      id: 'm1',
      portal: 'p',
      chatId: 1,
      author: { userId: 3, kind: 'client' },
    });
    expect(result.state).toBe('bot');
    expect((await store.load({ portal: 'p', chatId: 1 }))?.version).toBe(1);
  });

  it('routing strategies validate their pools and options', () => {
    expect(
      isBatonError(
        invalid(() => roundRobin([])),
        'INVALID_INPUT',
      ),
    ).toBe(true);
    expect(
      isBatonError(
        invalid(() => roundRobin([1, -2])),
        'INVALID_INPUT',
      ),
    ).toBe(true);
    expect(
      isBatonError(
        invalid(() => fixedTarget({ kind: 'user', userId: 0 })),
        'INVALID_INPUT',
      ),
    ).toBe(true);
    expect(
      isBatonError(
        invalid(() => fixedTarget({ kind: 'queue', queueId: 1 }, { confirmationTimeoutMs: 0 })),
        'INVALID_INPUT',
      ),
    ).toBe(true);
  });
});

describe('LEAVE as the platform writes it', () => {
  it("accepts 'Y' and 'N' as well as booleans, and refuses anything else", async () => {
    const transport = createFakeTransport();
    const engine = createEngine({ transport, defaults: { leave: 'Y' } });
    const base = { type: 'transfer.request' as const, portal: 'p' };
    await engine.dispatch({ ...base, id: 't1', chatId: 1, target: { kind: 'user', userId: 7 } });
    await engine.dispatch({ ...base, id: 't2', chatId: 2, target: { kind: 'user', userId: 7 }, leave: 'N' });
    await engine.dispatch({
      ...base,
      id: 't3',
      chatId: 3,
      plan: [{ target: { kind: 'user', userId: 7 }, leave: 'Y', confirmationTimeoutMs: 1_000 }],
    });
    await engine.drain();
    expect(transport.callsOf('transfer').map((call) => (call.request as { leave: boolean }).leave)).toEqual([
      true,
      false,
      true,
    ]);
    const refused = await engine
      .dispatch({
        ...base,
        id: 't4',
        chatId: 4,
        target: { kind: 'user', userId: 7 },
        leave: 'maybe' as never,
      })
      .catch((error: unknown) => error);
    expect(isBatonError(refused, 'INVALID_INPUT')).toBe(true);
    expect(await engine.getChat({ portal: 'p', chatId: 4 })).toBeUndefined();
  });
});
