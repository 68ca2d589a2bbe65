import { describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../contracts/rate-limiter.js';
import { isBatonError } from '../../errors.js';
import { withRateLimit } from '../../rate-limit/with-rate-limit.js';
import { createRouter } from '../../routing/router.js';
import { leastBusy, roundRobin } from '../../routing/strategies.js';
import type { Router } from '../../routing/types.js';
import { dispatchInternal } from '../dispatch-internal.js';
import { transportFailure } from '../fake-transport.js';
import type { ConformanceHarness } from '../harness.js';
import { createEngineFixture, type EngineStore, toQueue, toUser, useEngineFixture } from './fixture.js';

/** Edge cases: calls the chat no longer needs, odd transport answers, user code that misbehaves. */
export function edgeScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe('calls the chat no longer needs', () => {
    const fixture = useEngineFixture(harness);

    it('a transfer recorded before the operator answered is not made once the chat is with the operator', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver([toUser(7, false, 1_000), toQueue(3)]);
      f.clock.advance(1_000); // the deadline fires: the queue transfer is recorded, not yet made
      const fired = await f.store.claimDueTimers({ limit: 10, visibilityMs: 60_000 });
      expect(fired).toHaveLength(1);
      await dispatchInternal(f.engine, {
        type: 'timer.fired',
        id: `fired:${fired[0]?.id}`,
        portal: key.portal,
        chatId: key.chatId,
        timerId: fired[0]?.id ?? '',
      });
      await f.engine.dispatch(ev.operatorSays(7)); // the late answer wins the chat
      await f.engine.drain();
      expect(f.transport.callsOf('transfer').map((call) => call.request)).toMatchObject([
        { target: { kind: 'user', userId: 7 } },
      ]);
      expect((await f.engine.getChat(key))?.context).toMatchObject({ operatorId: 7, botPresent: false });
    });

    it('a bot removed from outside while its removal waits for a retry gets no further removal call', async () => {
      const f = fixture();
      f.transport.respondOnce(
        'removeBot',
        transportFailure('NETWORK', { retryable: true, kind: 'transient', outcomeUnknown: true }),
      );
      const { key, ev } = await f.handOver(toUser(7));
      await f.engine.dispatch(ev.operatorSays(7));
      await f.engine.drain();
      await f.engine.dispatch(ev.botRemoved('kicked'));
      f.clock.advance(60_000);
      await f.engine.drain();
      expect(f.transport.callsOf('removeBot')).toHaveLength(1);
      expect(f.seen.filter(([name]) => name === 'bot.left')).toHaveLength(1);
      expect((await f.engine.getChat(key))?.context.retryTimer).toBeNull();
    });

    it('a client typing 0 as the first message of a new session leaves the bot out of it', async () => {
      const f = fixture();
      const key = f.chat();
      const ev = f.events(key);
      await f.engine.dispatch(ev.clientSays('hi'));
      await f.engine.dispatch(ev.finished());
      const zero = await f.engine.dispatch(ev.clientSays('0'));
      expect(zero).toMatchObject({ state: 'operator', route: 'none' });
      expect((await f.engine.getChat(key))?.context).toMatchObject({ session: 2, botPresent: false });
      expect((await f.engine.dispatch(ev.clientSays('hello?'))).route).toBe('operator');
    });
  });

  describe('odd answers and misbehaving user code', () => {
    const fixture = useEngineFixture(harness, { lifecycle: { retryBaseDelayMs: 1_000 } });

    it('commits a transport failure with a fractional retry hint and an empty code instead of repeating the call', async () => {
      const f = fixture();
      f.transport.respondOnce('transfer', {
        ok: false,
        error: { code: '', retryable: true, retryAfterMs: 1_500.5, message: 'odd' },
      });
      const { key } = await f.handOver(toUser(7));
      const chat = await f.engine.getChat(key);
      expect(chat?.context.lastError).toEqual({
        code: 'UNKNOWN',
        retryable: true,
        message: 'odd',
        step: 0,
        target: toUser(7).target,
        at: f.clock.now(),
      });
      f.clock.advance(1_501);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(2);
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');
    });

    it('reports a listener whose promise rejects as an error, and carries on', async () => {
      const f = fixture();
      f.engine.on('transition', async () => {
        throw new Error('listener failed');
      });
      const result = await f.engine.dispatch(f.events(f.chat()).clientSays('hi'));
      expect(result.state).toBe('bot');
      await new Promise((resolve) => setTimeout(resolve, 0));
      const errors = f.seen.filter(([name]) => name === 'error');
      expect(errors.map(([, error]) => (error as Error).message)).toContain('listener failed');
    });

    it('calls a once listener for the first event only, and none that was removed with off', async () => {
      const f = fixture();
      const key = f.chat();
      const ev = f.events(key);
      const onceCalls: string[] = [];
      const offCalls: string[] = [];
      const removed = ({ eventId }: { eventId: string }) => offCalls.push(eventId);
      f.engine.once('transition', ({ eventId }) => onceCalls.push(eventId));
      f.engine.on('transition', removed);
      f.engine.off('transition', removed);
      const first = ev.clientSays('hi');
      await f.engine.dispatch(first);
      await f.engine.dispatch(ev.clientSays('still there?'));
      await f.engine.dispatch(ev.clientSays('hello?'));
      expect(onceCalls).toEqual([(first as { id: string }).id]);
      expect(offCalls).toEqual([]);
      expect(f.engine.listenerCount('transition')).toBe(1); // the fixture's own recorder
    });

    it('checks what a router returns: an empty plan is NO_ROUTE, a bad step INVALID_INPUT, and nothing is written', async () => {
      const empty: Router = { resolve: async () => [] };
      const bad: Router = {
        resolve: async () => [
          { target: { kind: 'user', userId: 7 }, leave: false, confirmationTimeoutMs: 0 },
        ],
      };
      for (const [router, code] of [
        [empty, 'NO_ROUTE'],
        [bad, 'INVALID_INPUT'],
      ] as const) {
        const f = await createEngineFixture(harness, { router });
        const key = f.chat();
        const error = await f.engine
          .dispatch({ type: 'transfer.request', id: 'route-1', portal: key.portal, chatId: key.chatId })
          .catch((e: unknown) => e);
        expect(isBatonError(error, code)).toBe(true);
        expect(await f.engine.getChat(key)).toBeUndefined();
        await f.dispose();
      }
    });

    it('rotates through a large pool', async () => {
      const pool = Array.from({ length: 80 }, (_, index) => 100_000 + index);
      const f = await createEngineFixture(harness, {
        router: createRouter({ fallback: roundRobin(pool, { attempts: 1 }) }),
      });
      for (const chatId of [1, 2]) {
        await f.engine.dispatch({
          type: 'transfer.request',
          id: `r${chatId}`,
          portal: f.chat().portal,
          chatId,
        });
      }
      const first = (await f.engine.getChat(f.chat(1)))?.context.plan[0]?.target;
      const second = (await f.engine.getChat(f.chat(2)))?.context.plan[0]?.target;
      expect([first, second]).toEqual([
        { kind: 'user', userId: 100_000 },
        { kind: 'user', userId: 100_001 },
      ]);
      await f.dispose();
    });

    it('counts a LEAVE=Y hand-over as the target operator holding a chat, for least-busy routing', async () => {
      const f = await createEngineFixture(harness, {
        router: createRouter({ fallback: leastBusy([7, 8], { leave: true }) }),
      });
      const portal = f.chat().portal;
      await f.engine.dispatch({ type: 'transfer.request', id: 'b1', portal, chatId: 1 });
      await f.engine.drain();
      expect((await f.engine.getChat(f.chat(1)))?.context).toMatchObject({
        operatorId: 7,
        botPresent: false,
      });
      const deadline = Date.now() + 5_000;
      while (((await f.store.readBusy(portal, [7])).get(7) ?? 0) !== 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await f.engine.dispatch({ type: 'transfer.request', id: 'b2', portal, chatId: 2 });
      expect((await f.engine.getChat(f.chat(2)))?.context.plan[0]?.target).toEqual({
        kind: 'user',
        userId: 8,
      });
      await f.dispose();
    });

    it("a portal waiting for rate budget does not hold back another chat's deadline", async () => {
      const starved: RateLimiter = {
        acquire: async () => ({ granted: false, retryAfterMs: 50 }),
        penalize: async () => {},
        close: async () => {},
      };
      // Chat B waits for an operator: its transfer went out before the budget ran dry.
      const other = await createEngineFixture(harness);
      const b = await other.handOver(toUser(7, false, 1_000), 2);
      const engine = other.anotherEngine({
        // Each call gives up after 200 ms without budget: a budget failure the chat retries later.
        transport: withRateLimit(other.transport, starved, { maxWaitMs: 200 }),
        worker: { pollIntervalMs: 5, effectLeaseMs: 60_000 },
      });
      engine.start();
      // Chat A's transfer now waits for budget that never comes (up to half its lease).
      await engine.dispatch(other.events(other.chat(1)).transferTo(toUser(8)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      other.clock.advance(1_000);
      const deadline = Date.now() + 10_000;
      while ((await engine.getChat(b.key))?.state !== 'bot' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect((await engine.getChat(b.key))?.state).toBe('bot');
      expect((await engine.getChat(other.chat(1)))?.state).toBe('transferring');
      await other.dispose();
    });

    it('drain() after stop() does nothing', async () => {
      const f = fixture();
      await f.engine.dispatch(f.events(f.chat()).transferTo(toUser(7)));
      await f.engine.stop();
      await f.engine.drain();
      expect(f.transport.calls).toHaveLength(0);
    });
  });
}
