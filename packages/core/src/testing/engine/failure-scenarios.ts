import { describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../contracts/rate-limiter.js';
import type { Transport } from '../../contracts/transport.js';
import { isBatonError } from '../../errors.js';
import { withRateLimit } from '../../rate-limit/with-rate-limit.js';
import { dispatchInternal } from '../dispatch-internal.js';
import { createFakeTransport, transportFailure } from '../fake-transport.js';
import type { ConformanceHarness } from '../harness.js';
import {
  createEngineFixture,
  type EngineStore,
  namesOf,
  toQueue,
  toUser,
  useEngineFixture,
} from './fixture.js';

/** Hand-overs that do not go as planned: deadlines, skips, platform errors, the bot leaving on its own. */
export function failureScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe('deadlines, skips and platform errors', () => {
    const fixture = useEngineFixture(harness, {
      lifecycle: { retryBaseDelayMs: 1_000, maxTransferAttempts: 3 },
    });

    it('moves to the next step when the confirmation deadline passes, and fails back to the bot when the plan is exhausted', async () => {
      const f = fixture();
      const key = f.chat();
      await f.engine.dispatch(
        f.events(key).transferTo([toUser(7, false, 10_000), toQueue(3, false, 20_000)]),
      );
      await f.engine.drain();
      f.clock.advance(9_999);
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.context.step).toBe(0);

      f.clock.advance(1);
      await f.engine.drain();
      let chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('awaitingOperator');
      expect(chat?.context).toMatchObject({ step: 1, lastError: { code: 'CONFIRMATION_TIMEOUT' } });
      expect(f.transport.callsOf('transfer').map((c) => c.request)).toMatchObject([
        { target: { kind: 'user', userId: 7 } },
        { target: { kind: 'queue', queueId: 3 } },
      ]);

      f.clock.advance(20_000);
      await f.engine.drain();
      chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('bot');
      expect(chat?.context.botPresent).toBe(true);
      expect(chat?.context.lastError?.code).toBe('CONFIRMATION_TIMEOUT');
      const failed = f.seen.filter(([name]) => name === 'handoff.failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.[1]).toMatchObject({ key, code: 'CONFIRMATION_TIMEOUT', steps: 2 });
      expect(f.transport.callsOf('removeBot')).toHaveLength(0);
    });

    it('a skip moves to the next step; a skip on the last step fails the hand-over', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver([toUser(7), toUser(8)]);
      await f.engine.dispatch(ev.skipped());
      await f.engine.drain();
      let chat = await f.engine.getChat(key);
      expect(chat).toMatchObject({
        state: 'awaitingOperator',
        context: { step: 1, lastError: { code: 'OPERATOR_SKIPPED' } },
      });
      expect(f.transport.callsOf('transfer')[1]?.request).toMatchObject({
        target: { kind: 'user', userId: 8 },
      });
      await f.engine.dispatch(ev.skipped());
      chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('bot');
      expect(namesOf(f.seen)).toContain('handoff.failed');
    });

    it('retries a retryable transfer error after a backoff, then succeeds', async () => {
      const f = fixture();
      f.transport.respondOnce('transfer', transportFailure('OPERATOR_WRONG', { retryable: true }));
      const { key } = await f.handOver(toUser(7));
      let chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('transferring');
      expect(chat?.context.lastError).toEqual({
        code: 'OPERATOR_WRONG',
        retryable: true,
        message: 'OPERATOR_WRONG',
        step: 0,
        target: toUser(7).target,
        at: f.clock.now(),
      });
      expect(f.transport.callsOf('transfer')).toHaveLength(1);

      f.clock.advance(999);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
      f.clock.advance(1);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(2);
      chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('awaitingOperator');
      expect(chat?.context.attempt).toBe(2);
      expect(f.seen.find(([name]) => name === 'transfer.failed')?.[1]).toMatchObject({
        code: 'OPERATOR_WRONG',
        willRetry: true,
      });
    });

    it('honours the platform retry hint when it is longer than the backoff', async () => {
      const f = fixture();
      f.transport.respondOnce(
        'transfer',
        transportFailure('QUERY_LIMIT_EXCEEDED', { retryable: true, kind: 'budget', retryAfterMs: 5_000 }),
      );
      await f.handOver(toUser(7));
      f.clock.advance(4_999);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
      f.clock.advance(1);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(2);
    });

    it("failures of the way use the step's request budget, not the target's attempts", async () => {
      // 5 transfers and 2 dialog reads settling the two unknown outcomes: within a budget of 7.
      const f = await createEngineFixture(harness, {
        lifecycle: { retryBaseDelayMs: 1_000, maxTransferAttempts: 3, maxStepRequests: 7 },
      });
      const budget = { retryable: true, kind: 'budget' } as const;
      const lost = { retryable: true, kind: 'transient', outcomeUnknown: true } as const;
      for (const [code, failure] of [
        ['QUERY_LIMIT_EXCEEDED', budget],
        ['CALL_TIMEOUT', lost],
        ['NETWORK', lost],
        ['QUERY_LIMIT_EXCEEDED', budget],
      ] as const) {
        f.transport.respondOnce('transfer', transportFailure(code, failure));
      }
      const { key } = await f.handOver([toUser(7), toQueue(3)]);
      for (let round = 0; round < 4; round += 1) {
        f.clock.advance(30_000);
        await f.engine.drain();
      }
      const targets = f.transport
        .callsOf('transfer')
        .map((call) => (call.request as { target: unknown }).target);
      expect(targets).toEqual(Array.from({ length: 5 }, () => ({ kind: 'user', userId: 7 })));
      expect((await f.engine.getChat(key))?.context).toMatchObject({
        step: 0,
        attempt: 5,
        infrastructureFailures: 4,
      });
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(2);
      await f.dispose();
    });

    it("when the step's request budget is spent, the step fails and the plan moves on", async () => {
      const f = await createEngineFixture(harness, { lifecycle: { maxStepRequests: 2 } });
      f.transport.respondAlways('transfer', (request) =>
        (request as { target: { kind: string } }).target.kind === 'user'
          ? transportFailure('QUERY_LIMIT_EXCEEDED', { retryable: true, kind: 'budget' })
          : { ok: true, value: undefined },
      );
      const { key } = await f.handOver([toUser(7), toQueue(3)]);
      f.clock.advance(30_000);
      await f.engine.drain();
      const kinds = f.transport
        .callsOf('transfer')
        .map((call) => (call.request as { target: { kind: string } }).target.kind);
      expect(kinds).toEqual(['user', 'user', 'queue']);
      expect((await f.engine.getChat(key))?.context).toMatchObject({
        step: 1,
        lastError: { code: 'QUERY_LIMIT_EXCEEDED' },
      });
      await f.dispose();
    });

    it('after the bounded retries, moves to the next step keeping the error code', async () => {
      const f = fixture();
      f.transport.respondAlways('transfer', (request) =>
        (request as { target: { kind: string } }).target.kind === 'user'
          ? transportFailure('OPERATOR_WRONG', { retryable: true })
          : { ok: true, value: undefined },
      );
      const { key } = await f.handOver([toUser(7), toQueue(3)]);
      f.clock.advance(1_000); // retry 1 → attempt 2
      await f.engine.drain();
      f.clock.advance(2_000); // retry 2 → attempt 3, which fails for good
      await f.engine.drain();
      const chat = await f.engine.getChat(key);
      expect(
        f.transport.callsOf('transfer').map((c) => (c.request as { target: { kind: string } }).target.kind),
      ).toEqual(['user', 'user', 'user', 'queue']);
      expect(chat?.state).toBe('awaitingOperator');
      expect(chat?.context).toMatchObject({ step: 1, lastError: { code: 'OPERATOR_WRONG' } });
    });

    it('a fatal transfer error skips retries and goes to the next step; exhausted, the chat returns to the bot', async () => {
      const f = fixture();
      f.transport.respondAlways('transfer', transportFailure('WRONG_CHAT', { retryable: false }));
      const { key } = await f.handOver([toUser(7), toUser(8)]);
      const chat = await f.engine.getChat(key);
      expect(f.transport.callsOf('transfer')).toHaveLength(2);
      expect(chat?.state).toBe('bot');
      expect(chat?.context.lastError).toEqual({
        code: 'WRONG_CHAT',
        retryable: false,
        message: 'WRONG_CHAT',
        step: 1,
        target: toUser(8).target,
        at: f.clock.now(),
      });
      expect(f.seen.filter(([name]) => name === 'handoff.failed')[0]?.[1]).toEqual({
        type: 'handoff.failed',
        reason: 'exhausted',
        key,
        code: 'WRONG_CHAT',
        message: 'WRONG_CHAT',
        steps: 2,
        step: 1,
        target: toUser(8).target,
        at: f.clock.now(),
      });
    });

    it('retries a failed bot removal, bounded', async () => {
      const f = fixture();
      f.transport.respondOnce(
        'removeBot',
        transportFailure('NETWORK', { retryable: true, kind: 'transient', outcomeUnknown: true }),
      );
      const { key, ev } = await f.handOver(toUser(7));
      await f.engine.dispatch(ev.operatorSays(7));
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.context.botPresent).toBe(true);
      f.clock.advance(1_000);
      await f.engine.drain();
      expect(f.transport.callsOf('removeBot')).toHaveLength(2);
      expect((await f.engine.getChat(key))?.context.botPresent).toBe(false);
    });
  });

  describe('calls that hang', () => {
    const fixture = useEngineFixture(harness, {
      worker: { effectLeaseMs: 250 },
      lifecycle: { retryBaseDelayMs: 1_000 },
    });

    it('aborts a call at 80% of its lease and retries it as CALL_TIMEOUT', async () => {
      const f = fixture();
      f.transport.respondOnce('transfer', () => new Promise(() => {})); // never answers
      const key = f.chat();
      await f.engine.dispatch(f.events(key).transferTo(toUser(7)));
      await f.engine.drain(); // without the lease bound this would never return
      let chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('transferring');
      expect(chat?.context.lastError).toEqual({
        code: 'CALL_TIMEOUT',
        retryable: true,
        message: 'The platform call did not end within 80% of its outbox lease and was aborted',
        step: 0,
        target: toUser(7).target,
        at: f.clock.now(),
      });
      f.clock.advance(1_000);
      await f.engine.drain();
      chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('awaitingOperator');
      expect(f.transport.callsOf('transfer')).toHaveLength(2);
    });
    it('a transfer whose earlier claim never got to call (its reply lost) is reported not started and made again without a dialog read', async () => {
      const f = fixture();
      if (f.store.startEffect === undefined) return; // the store does not record starts
      const key = f.chat();
      await f.engine.dispatch(f.events(key).transferTo(toUser(7)));
      // A claim whose worker never heard back: the entry is leased, nobody calls.
      expect(await f.store.claimEffects({ limit: 10, leaseMs: 250 })).toHaveLength(1);
      f.clock.advance(250);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(0);
      expect(await f.engine.getChat(key)).toMatchObject({
        state: 'transferring',
        context: { lastError: { code: 'NOT_STARTED', retryable: true }, attempt: 0 },
      });
      f.clock.advance(1_000);
      await f.engine.drain();
      expect(await f.engine.getChat(key)).toMatchObject({
        state: 'awaitingOperator',
        context: { attempt: 1 },
      });
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(0);
    });

    it('a transfer whose earlier claim started the call and died is settled by reading the dialog first', async () => {
      const f = fixture();
      if (f.store.startEffect === undefined) return;
      const key = f.chat();
      await f.engine.dispatch(f.events(key).transferTo(toUser(7)));
      const [claimed] = await f.store.claimEffects({ limit: 10, leaseMs: 250 });
      expect(claimed && (await f.store.startEffect(claimed))).toBe(true);
      f.clock.advance(250);
      await f.engine.drain();
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(1);
    });

    it('a call refused before it was sent (its rate grant still pending at the lease end) is retried without a dialog read', async () => {
      const fake = createFakeTransport();
      let refusals = 1;
      const refusingOnce: Transport = {
        transfer: (request, options) =>
          refusals-- > 0
            ? new Promise((resolve) =>
                options?.signal?.addEventListener(
                  'abort',
                  () =>
                    resolve(
                      transportFailure('RATE_LIMITED', { retryable: true, kind: 'budget', notSent: true }),
                    ),
                  { once: true },
                ),
              )
            : fake.transfer(request, options),
        removeBot: fake.removeBot,
        readDialogOwner: fake.readDialogOwner,
        sendBotMessage: fake.sendBotMessage,
      };
      const grantAll: RateLimiter = {
        acquire: async () => ({ granted: true }),
        penalize: async () => {},
        close: async () => {},
      };
      const f = await createEngineFixture(harness, {
        transport: withRateLimit(refusingOnce, grantAll),
        worker: { effectLeaseMs: 250 },
        lifecycle: { retryBaseDelayMs: 1_000 },
      });
      const key = f.chat();
      await f.engine.dispatch(f.events(key).transferTo(toUser(7)));
      await f.engine.drain();
      expect(await f.engine.getChat(key)).toMatchObject({
        state: 'transferring',
        context: {
          lastError: { code: 'CALL_TIMEOUT', retryable: true, step: 0 },
          verifyReads: 0,
          attempt: 0,
        },
      });
      f.clock.advance(1_000);
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');
      expect(fake.callsOf('transfer')).toHaveLength(1);
      expect(fake.callsOf('readDialogOwner')).toHaveLength(0);
      // Not charged to the step: the transfer that went out was its first attempt.
      expect((await f.engine.getChat(key))?.context.attempt).toBe(1);
      await f.dispose();
    });

    it("an unknown outcome the step's budget cannot settle fails the hand-over with the call's own code", async () => {
      const f = await createEngineFixture(harness, { lifecycle: { maxStepRequests: 3 } });
      f.transport.respondAlways(
        'transfer',
        transportFailure('TIMEOUT', { retryable: true, kind: 'transient', outcomeUnknown: true }),
      );
      const { key } = await f.handOver(toUser(7));
      const chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('bot');
      expect(chat?.context.lastError).toMatchObject({ code: 'TIMEOUT', retryable: true });
      expect(f.seen.find(([name]) => name === 'handoff.failed')?.[1]).toMatchObject({ code: 'TIMEOUT' });
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(1);
      await f.dispose();
    });
  });

  describe('the bot removed from outside', () => {
    const fixture = useEngineFixture(harness);

    it('a client typing 0 ends the bot part: no more routing to the bot and no removal call', async () => {
      const f = fixture();
      const key = f.chat();
      const ev = f.events(key);
      const zero = await f.engine.dispatch(ev.clientSays('0'));
      expect(zero).toMatchObject({ state: 'operator', route: 'none' });
      expect((await f.engine.dispatch(ev.clientSays('hello?'))).route).toBe('operator');
      await f.engine.drain();
      expect(f.transport.calls).toHaveLength(0);
      expect(f.seen.find(([name]) => name === 'bot.left')?.[1]).toMatchObject({ reason: 'clientLeftBot' });
    });

    it('kicked while awaiting an operator: the answer does not trigger a removal', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver(toUser(7, false, 5_000));
      await f.engine.dispatch(ev.botRemoved('kicked'));
      await f.engine.dispatch(ev.operatorSays(7));
      f.clock.advance(10_000);
      await f.engine.drain();
      const chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('operator');
      expect(chat?.context.botPresent).toBe(false);
      expect(f.transport.callsOf('removeBot')).toHaveLength(0);
      expect(namesOf(f.seen)).not.toContain('handoff.failed');
    });

    it('removed after the operator answered, before the removal call: the late result changes nothing', async () => {
      const f = fixture();
      f.transport.respondAlways('removeBot', { ok: true, value: { alreadyGone: true } });
      const { key, ev } = await f.handOver(toUser(7));
      await f.engine.dispatch(ev.operatorSays(7));
      await f.engine.dispatch(ev.botRemoved('clientLeftBot'));
      await f.engine.drain();
      const leftEvents = f.seen.filter(([name]) => name === 'bot.left');
      expect(leftEvents).toHaveLength(1);
      expect((await f.engine.getChat(key))?.context.botPresent).toBe(false);
    });
  });

  describe('input the engine refuses or ignores', () => {
    const fixture = useEngineFixture(harness);

    it('acknowledges a duplicate event id and ignores it', async () => {
      const f = fixture();
      const key = f.chat();
      const event = f.events(key).transferTo(toUser(7));
      const first = await f.engine.dispatch(event);
      const again = await f.engine.dispatch(event);
      expect(first.status).toBe('applied');
      expect(again).toMatchObject({
        status: 'duplicate',
        version: first.version,
        state: 'transferring',
        changed: false,
      });
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
    });

    it('rejects invalid events with INVALID_INPUT and changes nothing', async () => {
      const f = fixture();
      const key = f.chat();
      await f.engine.dispatch(f.events(key).clientSays('hi'));
      const bad: unknown[] = [
        null,
        {},
        { type: 'message', id: 'x', portal: key.portal, chatId: -1, author: { userId: 1, kind: 'client' } },
        {
          type: 'message',
          id: '',
          portal: key.portal,
          chatId: key.chatId,
          author: { userId: 1, kind: 'client' },
        },
        {
          type: 'message',
          id: 'y',
          portal: key.portal,
          chatId: key.chatId,
          author: { userId: 1, kind: 'alien' },
        },
        { type: 'transfer.request', id: 'z', portal: key.portal, chatId: key.chatId, plan: [] },
        { type: 'teleport', id: 'w', portal: key.portal, chatId: key.chatId },
      ];
      for (const event of bad) {
        const error = await f.engine.dispatch(event as never).catch((e: unknown) => e);
        expect(isBatonError(error, 'INVALID_INPUT')).toBe(true);
      }
      expect((await f.engine.getChat(key))?.version).toBe(1);
      expect(await f.engine.getChat({ portal: key.portal, chatId: 999 })).toBeUndefined();
    });

    it('a stale timer (of a state already left) does nothing', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver(toUser(7, false, 5_000));
      const timerId = (await f.engine.getChat(key))?.context.confirmationTimer;
      expect(timerId).toBeTruthy();
      await f.engine.dispatch(ev.operatorSays(7));
      await f.engine.drain();
      const before = await f.engine.getChat(key);
      const result = await dispatchInternal(f.engine, {
        type: 'timer.fired',
        id: 'late-timer',
        portal: key.portal,
        chatId: key.chatId,
        timerId: timerId ?? '',
      });
      expect(result).toMatchObject({ state: 'operator', changed: false });
      expect((await f.engine.getChat(key))?.context).toEqual(before?.context);
      f.clock.advance(60_000);
      await f.engine.drain();
      expect(namesOf(f.seen)).not.toContain('handoff.failed');
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
    });

    it('a transfer request while a hand-over is in flight is ignored', async () => {
      const f = fixture();
      const key = f.chat();
      const ev = f.events(key);
      await f.engine.dispatch(ev.transferTo(toUser(7)));
      const second = await f.engine.dispatch(ev.transferTo(toUser(8)));
      expect(second).toMatchObject({ state: 'transferring', changed: false });
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
    });
  });
}
