import { tracingChannel } from 'node:diagnostics_channel';
import { type ChatKey, createEngine, type RateLimiter, type Transport, withRateLimit } from '@baton/core';
import {
  createFakeTransport,
  createManualClock,
  transportFailure,
  transportSuccess,
} from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

const portal = 'b24-5d81e2';
const chatsOf = (count: number): ChatKey[] =>
  Array.from({ length: count }, (_, index) => ({ portal, chatId: 730_100 + index }));

/** A limiter that grants `budget` requests, then refuses, and records what it was asked. */
function countingLimiter(budget = Number.POSITIVE_INFINITY) {
  const acquired: string[] = [];
  const penalties: Array<[string, number]> = [];
  const limiter: RateLimiter = {
    acquire: async (key) => {
      acquired.push(key);
      return acquired.length <= budget ? { granted: true } : { granted: false, retryAfterMs: 500 };
    },
    penalize: async (key, ms) => {
      penalties.push([key, ms]);
    },
    close: async () => {},
  };
  return { limiter, acquired, penalties };
}

describe('a grouped dialog read through the fake transport', () => {
  it('is recorded as one call and answers each chat as a single read would, in order', async () => {
    const transport = createFakeTransport();
    const [first, second, third] = chatsOf(3) as [ChatKey, ChatKey, ChatKey];
    transport.setDialogOwner(second, 200_417);
    transport.setBotPresent(third, false);
    transport.respondOnce('readDialogOwner', transportFailure('ACCESS_ERROR'));
    expect(await transport.readDialogOwners([first, second, third])).toEqual([
      transportFailure('ACCESS_ERROR'),
      transportSuccess({ ownerId: 200_417 }),
      transportSuccess({ ownerId: 0, botPresent: false }),
    ]);
    expect(transport.calls.map((call) => call.method)).toEqual(['readDialogOwners']);
    expect(transport.callsOf('readDialogOwners')[0]?.request).toEqual([first, second, third]);
  });

  it('answers as scripted for the group, and ABORTED for every chat once aborted', async () => {
    const transport = createFakeTransport();
    const chats = chatsOf(2);
    transport.respondOnce('readDialogOwners', (requested) =>
      requested.map((chat) => transportSuccess({ ownerId: chat.chatId })),
    );
    expect(await transport.readDialogOwners(chats)).toEqual(
      chats.map((chat) => transportSuccess({ ownerId: chat.chatId })),
    );
    const aborted = await transport.readDialogOwners(chats, { signal: AbortSignal.abort() });
    expect(aborted.map((result) => !result.ok && result.error.code)).toEqual(['ABORTED', 'ABORTED']);
  });
});

describe('withRateLimit and a grouped dialog read', () => {
  it('takes one grant per 50 chats (the chats one request reads), not one per chat', async () => {
    const { limiter, acquired } = countingLimiter();
    const transport = withRateLimit(createFakeTransport(), limiter);
    const results = await transport.readDialogOwners?.(chatsOf(50));
    expect(results?.every((result) => result.ok)).toBe(true);
    expect(acquired).toEqual([portal]);
    await transport.readDialogOwners?.(chatsOf(80));
    expect(acquired).toEqual([portal, portal, portal]);
  });

  it("a refused grant is every chat's RATE_LIMITED failure, and nothing is read", async () => {
    const { limiter } = countingLimiter(1);
    const fake = createFakeTransport();
    const transport = withRateLimit(fake, limiter, { maxWaitMs: 0 });
    // 60 chats are two requests: the second grant is refused, so none is read.
    const results = (await transport.readDialogOwners?.(chatsOf(60))) ?? [];
    expect(results).toHaveLength(60);
    for (const result of results) {
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'RATE_LIMITED', kind: 'budget', notSent: true },
      });
    }
    expect(fake.calls).toHaveLength(0);
  });

  it('a budget failure the platform answers penalizes the portal once for the group', async () => {
    const { limiter, penalties } = countingLimiter();
    const fake = createFakeTransport();
    fake.respondOnce('readDialogOwners', (chats) =>
      chats.map(() =>
        transportFailure('QUERY_LIMIT_EXCEEDED', { retryable: true, kind: 'budget', retryAfterMs: 2_000 }),
      ),
    );
    const transport = withRateLimit(fake, limiter);
    await transport.readDialogOwners?.(chatsOf(3));
    expect(penalties).toEqual([[portal, 2_000]]);
  });

  it('leaves the method out when the transport has none, so the engine reads alone', () => {
    const { limiter } = countingLimiter();
    const fake = createFakeTransport();
    const single: Transport = {
      transfer: fake.transfer,
      removeBot: fake.removeBot,
      readDialogOwner: fake.readDialogOwner,
      sendBotMessage: fake.sendBotMessage,
    };
    expect(withRateLimit(single, limiter).readDialogOwners).toBeUndefined();
  });
});

describe('a grouped dialog read on the diagnostics channel', () => {
  it('is one baton:effect call naming every chat it read, with the first failure as its outcome', async () => {
    const channel = tracingChannel<object, object>('baton:effect');
    const seen: Array<{ kind: string; chats?: readonly ChatKey[]; outcome?: unknown }> = [];
    const handlers = {
      start: () => {},
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (message: object) => {
        seen.push({ ...(message as { kind: string }) });
      },
      error: () => {},
    };
    channel.subscribe(handlers);
    try {
      const clock = createManualClock();
      const fake = createFakeTransport();
      const engine = createEngine({ transport: fake, clock, confirmationPollIntervalMs: 1_000 });
      const chats = chatsOf(2);
      fake.respondOnce('readDialogOwner', transportFailure('ACCESS_ERROR'));
      for (const chat of chats) {
        await engine.dispatch({
          type: 'transfer.request',
          id: `handover-${chat.chatId}`,
          ...chat,
          plan: [{ target: { kind: 'user', userId: 200_417 }, leave: false, confirmationTimeoutMs: 60_000 }],
        });
      }
      await engine.drain();
      clock.advance(1_000);
      await engine.drain();
      expect(fake.callsOf('readDialogOwners')).toHaveLength(1);
      const grouped = seen.filter((message) => message.kind === 'readDialogOwners');
      expect(grouped).toHaveLength(1);
      expect(grouped[0]?.chats).toHaveLength(2);
      expect(grouped[0]?.outcome).toEqual({ ok: false, code: 'ACCESS_ERROR' });
      expect(seen.filter((message) => message.kind === 'readDialogOwner')).toHaveLength(0);
      await engine.stop();
    } finally {
      channel.unsubscribe(handlers);
    }
  });
});
