import { afterEach, describe, expect, it } from 'vitest';
import { isBatonError } from '../../errors.js';
import { createRouter } from '../../routing/router.js';
import { fallbackQueue, fixedTarget, leastBusy, roundRobin } from '../../routing/strategies.js';
import type { ConformanceHarness } from '../harness.js';
import { createEngineFixture, type EngineFixture, type EngineStore, toUser } from './fixture.js';

const waitFor = async (predicate: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Many events at once, many workers on one store, and plans resolved by routing. */
export function concurrencyScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe('concurrency and workers', () => {
    let f: EngineFixture | undefined;
    afterEach(async () => {
      await f?.dispose();
      f = undefined;
    });

    it('applies every one of many concurrent events for one chat exactly once (no lost update)', async () => {
      f = await createEngineFixture(harness);
      const key = f.chat();
      const ev = f.events(key);
      const second = f.anotherEngine();
      const events = Array.from({ length: 40 }, (_, i) => ev.clientSays(`message ${i}`));
      const results = await Promise.all(
        events.map((event, i) => (i % 2 === 0 ? f?.engine : second)?.dispatch(event)),
      );
      expect(results.every((r) => r?.status === 'applied')).toBe(true);
      const versions = results.map((r) => r?.version).sort((a = 0, b = 0) => a - b);
      expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect((await f.engine.getChat(key))?.version).toBe(40);
    });

    it('several started engines on one store share the work without doing any of it twice', async () => {
      f = await createEngineFixture(harness, { worker: { pollIntervalMs: 5 } });
      const fixture = f;
      const workers = [
        fixture.engine,
        fixture.anotherEngine({ worker: { pollIntervalMs: 5 } }),
        fixture.anotherEngine({ worker: { pollIntervalMs: 5 } }),
      ];
      for (const worker of workers) worker.start();
      const chats = Array.from({ length: 30 }, (_, i) => fixture.chat(i + 1));
      await Promise.all(
        chats.map((key, i) => workers[i % 3]?.dispatch(fixture.events(key).transferTo(toUser(7, true)))),
      );
      await waitFor(async () => {
        const states = await Promise.all(chats.map((key) => fixture.engine.getChat(key)));
        return states.every((chat) => chat?.state === 'operator');
      });
      await Promise.all(workers.map((worker) => worker.stop()));
      const transfers = fixture.transport.callsOf('transfer');
      expect(transfers).toHaveLength(30);
      const perChat = new Set(transfers.map((c) => (c.request as { chatId: number }).chatId));
      expect(perChat.size).toBe(30);
    });

    it('refuses events after stop()', async () => {
      f = await createEngineFixture(harness);
      f.engine.start();
      await f.engine.stop();
      const error = await f.engine.dispatch(f.events(f.chat()).clientSays('late')).catch((e: unknown) => e);
      expect(isBatonError(error, 'ENGINE_STOPPED')).toBe(true);
    });
  });

  describe('routing', () => {
    let f: EngineFixture | undefined;
    afterEach(async () => {
      await f?.dispose();
      f = undefined;
    });

    const request = (fixture: EngineFixture, chatId: number, reason?: string) => ({
      type: 'transfer.request' as const,
      id: `route-${chatId}-${reason ?? ''}`,
      portal: fixture.chat().portal,
      chatId,
      ...(reason === undefined ? {} : { reason }),
    });

    it('round-robin rotates through the pool across chats and workers, then falls back to a queue', async () => {
      const router = createRouter({
        fallback: [roundRobin([11, 12, 13], { attempts: 2 }), fallbackQueue(5)],
      });
      f = await createEngineFixture(harness, { router });
      const other = f.anotherEngine({ router });
      for (const chatId of [1, 2, 3, 4]) await (chatId % 2 ? f.engine : other).dispatch(request(f, chatId));
      const plans = await Promise.all(
        [1, 2, 3, 4].map(async (chatId) => (await f?.engine.getChat(f.chat(chatId)))?.context.plan),
      );
      expect(
        plans.map((plan) =>
          plan?.map((step) => (step.target.kind === 'user' ? step.target.userId : `q${step.target.queueId}`)),
        ),
      ).toEqual([
        [11, 12, 'q5'],
        [12, 13, 'q5'],
        [13, 11, 'q5'],
        [11, 12, 'q5'],
      ]);
    });

    it('least-busy prefers operators holding fewer chats, counted as chats are answered and closed', async () => {
      const router = createRouter({ fallback: leastBusy([21, 22]) });
      f = await createEngineFixture(harness, { router });
      const key = f.chat(1);
      await f.engine.dispatch(request(f, 1));
      await f.engine.drain();
      await f.engine.dispatch(f.events(key).operatorSays(21));
      await f.engine.drain();
      await waitFor(async () => ((await f?.store.readBusy(key.portal, [21]))?.get(21) ?? 0) === 1);
      await f.engine.dispatch(request(f, 2));
      expect((await f.engine.getChat(f.chat(2)))?.context.plan.map((s) => s.target)).toEqual([
        { kind: 'user', userId: 22 },
        { kind: 'user', userId: 21 },
      ]);
      await f.engine.dispatch(f.events(key).finished());
      await waitFor(async () => ((await f?.store.readBusy(key.portal, [21]))?.get(21) ?? 0) === 0);
    });

    it('an operator at capacity is not offered a new chat by least-busy or round-robin', async () => {
      const router = createRouter({
        rules: [
          { when: (r) => r.event.reason === 'rotate', use: roundRobin([31, 32], { maxChats: { 31: 1 } }) },
          { use: leastBusy([31, 32], { maxChats: 1 }) },
        ],
        fallback: fallbackQueue(5),
      });
      f = await createEngineFixture(harness, { router });
      const held = f.chat(1);
      await f.engine.dispatch(request(f, 1));
      await f.engine.drain();
      await f.engine.dispatch(f.events(held).operatorSays(31)); // 31 now holds one chat: at capacity
      await waitFor(async () => ((await f?.store.readBusy(held.portal, [31]))?.get(31) ?? 0) === 1);
      await f.engine.dispatch(request(f, 2));
      expect((await f.engine.getChat(f.chat(2)))?.context.plan.map((s) => s.target)).toEqual([
        { kind: 'user', userId: 32 },
        { kind: 'queue', queueId: 5 },
      ]);
      for (const chatId of [3, 4]) await f.engine.dispatch(request(f, chatId, 'rotate'));
      for (const chatId of [3, 4]) {
        expect((await f.engine.getChat(f.chat(chatId)))?.context.plan.map((s) => s.target)).toEqual([
          { kind: 'user', userId: 32 },
          { kind: 'queue', queueId: 5 },
        ]);
      }
      await f.engine.dispatch(f.events(held).finished()); // released: 31 is offered chats again
      await waitFor(async () => ((await f?.store.readBusy(held.portal, [31]))?.get(31) ?? 0) === 0);
      await f.engine.dispatch(request(f, 5));
      expect((await f.engine.getChat(f.chat(5)))?.context.plan[0]?.target).toEqual({
        kind: 'user',
        userId: 31,
      });
    });

    it('rules pick strategies by the request; with no rule and no fallback the request is NO_ROUTE', async () => {
      const router = createRouter({
        rules: [
          {
            name: 'vip',
            when: (r) => r.event.reason === 'vip',
            use: fixedTarget({ kind: 'user', userId: 99 }, { leave: true }),
          },
        ],
      });
      f = await createEngineFixture(harness, { router });
      await f.engine.dispatch(request(f, 1, 'vip'));
      expect((await f.engine.getChat(f.chat(1)))?.context.plan).toEqual([
        { target: { kind: 'user', userId: 99 }, leave: true, confirmationTimeoutMs: 120_000 },
      ]);
      const error = await f.engine.dispatch(request(f, 2, 'other')).catch((e: unknown) => e);
      expect(isBatonError(error, 'NO_ROUTE')).toBe(true);
      expect(await f.engine.getChat(f.chat(2))).toBeUndefined();
    });
  });
}
