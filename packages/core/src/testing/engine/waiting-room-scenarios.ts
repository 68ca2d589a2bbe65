import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../events.js';
import { dispatchInternal } from '../dispatch-internal.js';
import type { ConformanceHarness } from '../harness.js';
import { type EngineFixture, type EngineStore, toQueue, toUser, useEngineFixture } from './fixture.js';

const waitingRoom = {
  stillWaiting: { everyMs: 60_000, text: 'Still looking for someone: you have waited {minutes} min.' },
  fallbackMessage: 'Anna is busy; trying the support team.',
  exhaustedMessage: 'Nobody could answer right now; the bot will help you meanwhile.',
};

const anna: PlanStep = { ...toUser(104233, false, 150_000), waitingMessage: 'Connecting you to Anna…' };
const team: PlanStep = {
  ...toQueue(12, false, 100_000),
  waitingMessage: 'Connecting you to the support team…',
};

const said = (f: EngineFixture) => f.transport.callsOf('sendBotMessage').map((call) => call.request.text);

/** Runs the clock forward in steps, running due work after each. */
async function wait(f: EngineFixture, ms: number, step = 10_000): Promise<void> {
  for (let passed = 0; passed < ms; passed += step) {
    f.clock.advance(Math.min(step, ms - passed));
    await f.engine.drain();
  }
}

/** What the client hears while a chat waits for an operator. */
export function waitingRoomScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe('the waiting room', () => {
    const fixture = useEngineFixture(harness, { lifecycle: { waitingRoom } });

    it('says each step, still waiting with the minutes, the fallback, in order and on time; stops at the answer', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver([anna, team], 610_221);
      expect(said(f)).toEqual(['Connecting you to Anna…']);
      // Sent, and its result taken in: the chat no longer holds it as pending.
      expect((await f.engine.getChat(key))?.context).toMatchObject({ waitingMessages: [] });
      await wait(f, 60_000);
      await wait(f, 60_000);
      expect(said(f).slice(1)).toEqual([
        'Still looking for someone: you have waited 1 min.',
        'Still looking for someone: you have waited 2 min.',
      ]);
      await wait(f, 30_000); // Anna's 150 s are over: the team is next
      expect(said(f).slice(3)).toEqual([
        'Anna is busy; trying the support team.',
        'Connecting you to the support team…',
      ]);
      await wait(f, 30_000);
      expect(said(f).slice(5)).toEqual(['Still looking for someone: you have waited 3 min.']);
      const at = said(f).length;
      await f.engine.dispatch(ev.operatorSays(104555));
      await wait(f, 600_000);
      expect(said(f)).toHaveLength(at);
      expect((await f.engine.getChat(key))?.context).toMatchObject({ waitTimer: null, waitingMessages: [] });
    });

    it('says the plan is exhausted once, and nothing of the waiting room afterwards', async () => {
      const f = fixture();
      const { key } = await f.handOver([{ ...anna, confirmationTimeoutMs: 30_000 }], 610_222);
      await wait(f, 30_000);
      expect(said(f)).toEqual(['Connecting you to Anna…', waitingRoom.exhaustedMessage]);
      expect((await f.engine.getChat(key))?.state).toBe('bot');
      await wait(f, 300_000);
      expect(said(f)).toHaveLength(2);
    });

    it('a message recorded before the operator answered is not sent once the chat stopped waiting', async () => {
      const f = fixture();
      const { ev } = await f.handOver([anna], 610_223);
      f.clock.advance(60_000);
      const [timer] = await f.store.claimDueTimers({ limit: 10, visibilityMs: 60_000 });
      expect(timer?.id).toMatch(/^wait:/);
      await dispatchInternal(f.engine, {
        type: 'timer.fired',
        id: `fired:${timer?.id}`,
        portal: timer?.key.portal ?? '',
        chatId: timer?.key.chatId ?? 0,
        timerId: timer?.id ?? '',
      });
      await f.engine.dispatch(ev.operatorSays(104233)); // before the outbox ran
      await f.engine.drain();
      expect(said(f)).toEqual(['Connecting you to Anna…']);
    });

    it('a duplicated timer event says "still waiting" once', async () => {
      const f = fixture();
      const { key } = await f.handOver([anna], 610_224);
      f.clock.advance(60_000);
      const [timer] = await f.store.claimDueTimers({ limit: 10, visibilityMs: 60_000 });
      const fired = {
        type: 'timer.fired' as const,
        id: `fired:${timer?.id}`,
        portal: key.portal,
        chatId: key.chatId,
        timerId: timer?.id ?? '',
      };
      expect((await dispatchInternal(f.engine, fired)).status).toBe('applied');
      expect((await dispatchInternal(f.engine, fired)).status).toBe('duplicate');
      await f.engine.drain();
      expect(said(f)).toEqual([
        'Connecting you to Anna…',
        'Still looking for someone: you have waited 1 min.',
      ]);
    });
  });
}
