import {
  createFakeTransport,
  createManualClock,
  transportFailure,
  transportSuccess,
} from '@baton/core/testing';
import { describe, expect, it } from 'vitest';

const chat = { portal: 'portal-a', chatId: 42 };
const samePortalOtherChat = { portal: 'portal-a', chatId: 43 };
const otherPortalChat = { portal: 'portal-b', chatId: 42 };

describe('createFakeTransport', () => {
  it('succeeds by default and records every call with its request and time', async () => {
    const clock = createManualClock();
    const transport = createFakeTransport({ clock });
    const transfer = { ...chat, target: { kind: 'user', userId: 7 }, leave: false } as const;
    expect(await transport.transfer(transfer)).toEqual({ ok: true, value: undefined });
    clock.advance(10);
    expect(await transport.removeBot(chat)).toEqual({ ok: true, value: { alreadyGone: false } });
    expect(await transport.readDialogOwner(chat)).toEqual({ ok: true, value: { ownerId: 0 } });
    expect(await transport.sendBotMessage({ ...chat, text: 'hi' })).toEqual({ ok: true, value: undefined });
    expect(await transport.handToQueue(chat)).toEqual({ ok: true, value: undefined });
    expect(await transport.finishSession(chat)).toEqual({ ok: true, value: undefined });
    expect(transport.calls.map((call) => call.method)).toEqual([
      'transfer',
      'removeBot',
      'readDialogOwner',
      'sendBotMessage',
      'handToQueue',
      'finishSession',
    ]);
    expect(transport.calls[0]).toEqual({ method: 'transfer', request: transfer, at: clock.now() - 10 });
    expect(transport.calls[0]?.request).toBe(transfer);
    expect(transport.callsOf('sendBotMessage')[0]?.request.text).toBe('hi');
    expect(transport).not.toHaveProperty('rateLimiting');
  });

  it('uses queued answers once each, in order, then the replaced default, then the built-in one', async () => {
    const transport = createFakeTransport();
    transport.respondOnce('transfer', transportFailure('OPERATOR_WRONG'));
    transport.respondOnce('transfer', (request) =>
      request.target.kind === 'queue' ? transportSuccess(undefined) : transportFailure('WRONG'),
    );
    const toQueue = { ...chat, target: { kind: 'queue', queueId: 3 }, leave: false } as const;
    expect(await transport.transfer(toQueue)).toMatchObject({ ok: false, error: { code: 'OPERATOR_WRONG' } });
    expect(await transport.transfer(toQueue)).toEqual({ ok: true, value: undefined });
    expect(await transport.transfer(toQueue)).toEqual({ ok: true, value: undefined });

    transport.respondAlways('removeBot', transportSuccess({ alreadyGone: true }));
    transport.respondOnce('removeBot', transportFailure('NETWORK', { retryable: true }));
    expect(await transport.removeBot(chat)).toMatchObject({
      ok: false,
      error: { code: 'NETWORK', retryable: true },
    });
    expect(await transport.removeBot(chat)).toEqual({ ok: true, value: { alreadyGone: true } });
    expect(await transport.removeBot(chat)).toEqual({ ok: true, value: { alreadyGone: true } });
  });

  it('answers readDialogOwner per chat, portals apart', async () => {
    const transport = createFakeTransport();
    transport.setDialogOwner(chat, 7);
    expect(await transport.readDialogOwner(chat)).toEqual({ ok: true, value: { ownerId: 7 } });
    expect(await transport.readDialogOwner(samePortalOtherChat)).toEqual({ ok: true, value: { ownerId: 0 } });
    expect(await transport.readDialogOwner(otherPortalChat)).toEqual({ ok: true, value: { ownerId: 0 } });
  });

  it('answers ABORTED when the signal is aborted before the call or while a scripted answer is pending', async () => {
    const transport = createFakeTransport();
    const before = new AbortController();
    before.abort();
    expect(await transport.handToQueue(chat, { signal: before.signal })).toMatchObject({
      ok: false,
      error: { code: 'ABORTED', retryable: false },
    });
    expect(transport.callsOf('handToQueue')).toHaveLength(1);

    const during = new AbortController();
    transport.respondOnce('finishSession', () => new Promise(() => {}));
    const pending = transport.finishSession(chat, { signal: during.signal });
    during.abort();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  });

  it('passes the call options to answer functions', async () => {
    const transport = createFakeTransport();
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    transport.respondOnce('handToQueue', (_request, options) => {
      seen = options?.signal;
      return transportSuccess(undefined);
    });
    await transport.handToQueue(chat, { signal: controller.signal });
    expect(seen).toBe(controller.signal);
  });

  it('reset forgets calls, answers and owners', async () => {
    const transport = createFakeTransport();
    transport.respondOnce('handToQueue', transportFailure('X'));
    transport.respondAlways('finishSession', transportFailure('Y'));
    transport.setDialogOwner(chat, 7);
    await transport.sendBotMessage({ ...chat, text: 'hi' });
    transport.reset();
    expect(transport.calls).toEqual([]);
    expect(await transport.handToQueue(chat)).toEqual({ ok: true, value: undefined });
    expect(await transport.finishSession(chat)).toEqual({ ok: true, value: undefined });
    expect(await transport.readDialogOwner(chat)).toEqual({ ok: true, value: { ownerId: 0 } });
    await transport.close();
    await transport.close();
  });

  it('transportFailure fills in the defaults and keeps only the hints given', () => {
    expect(transportFailure('OPERATOR_WRONG')).toEqual({
      ok: false,
      error: { code: 'OPERATOR_WRONG', retryable: false, message: 'OPERATOR_WRONG' },
    });
    expect(
      transportFailure('QUERY_LIMIT_EXCEEDED', {
        retryable: true,
        retryAfterMs: 1_000,
        status: 503,
        message: 'slow down',
      }),
    ).toEqual({
      ok: false,
      error: {
        code: 'QUERY_LIMIT_EXCEEDED',
        retryable: true,
        retryAfterMs: 1_000,
        status: 503,
        message: 'slow down',
      },
    });
  });
});
