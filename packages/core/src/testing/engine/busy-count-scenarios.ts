import { describe, expect, it } from 'vitest';
import type { ChatKey } from '../../chat-key.js';
import type { PlanStep } from '../../events.js';
import type { ConformanceHarness } from '../harness.js';
import { type EngineFixture, type EngineStore, toQueue, toUser, useEngineFixture } from './fixture.js';

const anna = 310_201;
const boris = 310_202;
const vera = 310_203;

/** The busy counts of the fixture's portal, for the given operators, in order. */
async function busy(f: EngineFixture, ...operatorIds: number[]): Promise<number[]> {
  const counts = await f.store.readBusy(f.chat().portal, operatorIds);
  return operatorIds.map((id) => counts.get(id) ?? -1);
}

const limited = (userId: number, maxChats: number, timeoutMs = 60_000): PlanStep => ({
  ...toUser(userId, false, timeoutMs),
  maxChats,
});

const named = (f: EngineFixture, name: string) => f.seen.filter(([seen]) => seen === name).map(([, p]) => p);

/**
 * Busy counts change in the commit that changes the chat: a hand-over offered to a user counts
 * at once (waiting or answered), moves with the plan, and is released however the chat leaves
 * them; an operator at `maxChats` is never offered another chat.
 */
export function busyCountScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe('busy counts and capacity', () => {
    const fixture = useEngineFixture(harness);

    it('counts a hand-over from the commit that starts it, moves it on fallback, releases it on timeout', async () => {
      const f = fixture();
      const key = f.chat(720_001);
      await f.engine.dispatch(
        f.events(key).transferTo([toUser(anna, false, 1_000), toUser(boris, false, 1_000)]),
      );
      // Counted before any call is made: the commit that starts the step counts it.
      expect(await busy(f, anna, boris)).toEqual([1, 0]);
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');
      expect(await busy(f, anna, boris)).toEqual([1, 0]);
      f.clock.advance(1_000);
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.context.step).toBe(1);
      expect(await busy(f, anna, boris)).toEqual([0, 1]);
      f.clock.advance(1_000);
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.state).toBe('bot');
      expect(await busy(f, anna, boris)).toEqual([0, 0]);
    });

    it('releases a skipped step, keeps an answered chat counted, releases it when the session finishes', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver([toUser(anna), toUser(boris)], 720_002);
      expect(await busy(f, anna, boris)).toEqual([1, 0]);
      await f.engine.dispatch(ev.skipped());
      expect(await busy(f, anna, boris)).toEqual([0, 1]);
      await f.engine.drain();
      await f.engine.dispatch(ev.operatorSays(boris));
      expect((await f.engine.getChat(key))?.state).toBe('operator');
      expect(await busy(f, anna, boris)).toEqual([0, 1]);
      await f.engine.dispatch(ev.finished());
      expect(await busy(f, anna, boris)).toEqual([0, 0]);
    });

    it('counts a queue step only once someone answers, and releases it when a new platform session starts', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver(toQueue(5), 720_003);
      expect(await busy(f, vera)).toEqual([0]);
      await f.engine.dispatch({ ...ev.operatorSays(vera), sessionId: 880_001 } as never);
      expect((await f.engine.getChat(key))?.state).toBe('operator');
      expect(await busy(f, vera)).toEqual([1]);
      await f.engine.dispatch({ ...ev.clientSays('Hello again'), sessionId: 880_002 } as never);
      expect((await f.engine.getChat(key))?.state).toBe('bot');
      expect(await busy(f, vera)).toEqual([0]);
    });

    it('counts a LEAVE=Y hand-over against its user, and resetChat releases it', async () => {
      const f = fixture();
      const { key } = await f.handOver(toUser(anna, true), 720_004);
      expect((await f.engine.getChat(key))?.context).toMatchObject({ operatorId: anna, botPresent: false });
      expect(await busy(f, anna)).toEqual([1]);
      const reset = await f.engine.resetChat(key, 'operator asked to start over');
      expect(reset.releasedOperatorId).toBe(anna);
      expect(await busy(f, anna)).toEqual([0]);
    });

    it('resetChat releases the operator of a chat whose snapshot cannot be read back', async () => {
      const f = fixture();
      const key = f.chat(720_011);
      await f.store.commit({
        key,
        expectedVersion: 0,
        snapshot: { schemaVersion: 2, value: 'operator', context: { portal: key.portal, plan: 'broken' } },
        summary: { state: 'operator', stateSince: f.clock.now(), holder: anna },
        eventId: 'damaged-write',
        effects: [],
        timersToSet: [],
        timersToCancel: [],
      });
      expect(await busy(f, anna)).toEqual([1]);
      const reset = await f.engine.resetChat(key, 'snapshot damaged by a manual edit');
      expect(reset).toMatchObject({ code: 'CORRUPT_SNAPSHOT', releasedOperatorId: anna });
      expect(await busy(f, anna)).toEqual([0]);
    });

    it('skips a step whose operator is at capacity, with the reason, and offers the next', async () => {
      const f = fixture();
      await f.handOver([limited(anna, 1), toUser(boris)], 720_005);
      const { key } = await f.handOver([limited(anna, 1), toUser(boris)], 720_006);
      const chat = await f.engine.getChat(key);
      expect(chat?.context.step).toBe(1);
      expect(chat?.context.skips).toEqual([{ step: 0, reason: 'at-capacity' }]);
      expect(named(f, 'step.skipped')).toEqual([
        {
          type: 'step.skipped',
          at: expect.any(Number),
          key,
          target: { kind: 'user', userId: anna },
          step: 0,
          reason: 'at-capacity',
        },
      ]);
      // Anna was never called for the second chat.
      expect(
        f.transport.callsOf('transfer').map((call) => [call.request.chatId, call.request.target]),
      ).toEqual([
        [720_005, { kind: 'user', userId: anna }],
        [720_006, { kind: 'user', userId: boris }],
      ]);
      expect(await busy(f, anna, boris)).toEqual([1, 1]);
    });

    it('fails a hand-over whose every operator is at capacity as no-one-available, counting nothing', async () => {
      const f = fixture();
      await f.handOver(limited(anna, 1), 720_007);
      const key: ChatKey = f.chat(720_008);
      await f.engine.dispatch(f.events(key).transferTo(limited(anna, 1)));
      expect((await f.engine.getChat(key))?.state).toBe('bot');
      expect(named(f, 'handoff.failed')).toEqual([
        expect.objectContaining({ key, code: 'NO_ONE_AVAILABLE', reason: 'no-one-available' }),
      ]);
      expect(await busy(f, anna)).toEqual([1]);
    });

    it('skips a fallback step whose operator filled up while the chat waited', async () => {
      const f = fixture();
      const { key } = await f.handOver([toUser(anna, false, 1_000), limited(boris, 1), toQueue(5)], 720_009);
      await f.handOver(limited(boris, 1), 720_010);
      f.clock.advance(1_000);
      await f.engine.drain();
      const chat = await f.engine.getChat(key);
      expect(chat?.context.step).toBe(2);
      expect(chat?.context.skips).toEqual([{ step: 1, reason: 'at-capacity' }]);
      expect(await busy(f, anna, boris)).toEqual([0, 1]);
    });

    it('two workers offering many chats at once never take an operator past the limit', async () => {
      const f = fixture();
      const other = f.anotherEngine();
      const plan = [limited(anna, 2), limited(boris, 2), limited(vera, 2)];
      const chats = Array.from({ length: 12 }, (_, index) => f.chat(721_000 + index));
      await Promise.all(
        chats.map((key, index) => (index % 2 ? other : f.engine).dispatch(f.events(key).transferTo(plan))),
      );
      const states = await Promise.all(chats.map(async (key) => (await f.engine.getChat(key))?.state));
      expect(states.filter((state) => state === 'transferring')).toHaveLength(6);
      expect(states.filter((state) => state === 'bot')).toHaveLength(6);
      expect(await busy(f, anna, boris, vera)).toEqual([2, 2, 2]);
    });
  });
}
