import { describe, expect, it } from 'vitest';
import type { AvailabilitySource } from '../../policies/availability.js';
import type { WorkingHours } from '../../policies/working-hours.js';
import type { ConformanceHarness } from '../harness.js';
import { type EngineFixture, type EngineStore, toQueue, toUser, useEngineFixture } from './fixture.js';

/** Line 12 works 9:00–18:30 in Vladivostok (UTC+10), never on Tuesdays. */
const line12: WorkingHours = {
  enabled: true,
  from: '9',
  to: '18.30',
  timeZone: 'Asia/Vladivostok',
  daysOff: ['TU'],
  holidays: ['1.01', '8.03'],
};

const offline = new Set([104233]);
const lookups: number[] = [];
const source: AvailabilitySource = {
  isUserAvailable: async (_portal, userId) => {
    lookups.push(userId);
    return !offline.has(userId);
  },
};

const transfers = (f: EngineFixture) => f.transport.callsOf('transfer').map((call) => call.request.target);
const named = (f: EngineFixture, name: string) => f.seen.filter(([seen]) => seen === name).map(([, p]) => p);

/** Steps skipped because their line is closed or their operator away. */
export function availabilityScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe('working hours and availability', () => {
    const fixture = useEngineFixture(harness, {
      availability: { workingHours: { 12: line12 }, source, checkOperators: true, cacheTtlMs: 60_000 },
      lifecycle: {
        waitingRoom: { outOfHoursMessage: 'We are closed now; we open at 9:00 Vladivostok time.' },
      },
    });

    it('judges a line in its own time zone, across the day boundary from UTC', async () => {
      const f = fixture();
      // Tuesday 23:30 UTC is Wednesday 09:30 in Vladivostok: open (in UTC it would be a closed Tuesday).
      f.clock.set(Date.parse('2026-03-03T23:30:00Z'));
      await f.handOver([toQueue(12), toQueue(14)], 710_301);
      expect(transfers(f)).toEqual([{ kind: 'queue', queueId: 12 }]);
      expect(named(f, 'step.skipped')).toEqual([]);
    });

    it('skips a step out of its line’s hours, with the reason, recorded in the commit that starts the next', async () => {
      const f = fixture();
      // Tuesday 22:30 UTC is Wednesday 08:30 in Vladivostok: not open yet.
      f.clock.set(Date.parse('2026-03-03T22:30:00Z'));
      const { key } = await f.handOver([toQueue(12), toQueue(14)], 710_302);
      expect(transfers(f)).toEqual([{ kind: 'queue', queueId: 14 }]);
      expect(named(f, 'step.skipped')).toEqual([
        {
          type: 'step.skipped',
          at: expect.any(Number),
          key,
          target: { kind: 'queue', queueId: 12 },
          step: 0,
          reason: 'out-of-hours',
        },
      ]);
      expect((await f.engine.getChat(key))?.context).toMatchObject({
        step: 1,
        skips: [{ step: 0, reason: 'out-of-hours' }],
      });
    });

    it('skips the step of an operator who is away, asking the platform once per cache period', async () => {
      const f = fixture();
      lookups.length = 0;
      const { key } = await f.handOver([toUser(104233), toUser(104234)], 710_303);
      expect(transfers(f)).toEqual([{ kind: 'user', userId: 104234 }]);
      expect(named(f, 'step.skipped')).toEqual([
        {
          type: 'step.skipped',
          at: expect.any(Number),
          key,
          target: { kind: 'user', userId: 104233 },
          step: 0,
          reason: 'operator-unavailable',
        },
      ]);
      await f.handOver([toUser(104233), toUser(104234)], 710_304);
      expect(lookups.filter((id) => id === 104233)).toHaveLength(1);
    });

    it('a plan whose every step is skipped fails as no-one-available and tells the client', async () => {
      const f = fixture();
      f.clock.set(Date.parse('2026-03-08T02:00:00Z')); // 8 March, 12:00 in Vladivostok: a holiday
      const { key } = await f.handOver([toQueue(12), toUser(104233)], 710_305);
      expect(transfers(f)).toEqual([]);
      expect(named(f, 'handoff.failed')).toEqual([
        {
          type: 'handoff.failed',
          at: f.clock.now(),
          key,
          code: 'NO_ONE_AVAILABLE',
          steps: 2,
          reason: 'no-one-available',
        },
      ]);
      expect(named(f, 'step.skipped')).toHaveLength(2);
      expect(f.transport.callsOf('sendBotMessage').map((call) => call.request.text)).toEqual([
        'We are closed now; we open at 9:00 Vladivostok time.',
      ]);
      expect((await f.engine.getChat(key))?.state).toBe('bot');
    });

    it('a later step is judged when it would start: closed by then, it is skipped and the plan ends', async () => {
      const f = fixture();
      f.clock.set(Date.parse('2026-03-04T08:29:00Z')); // Wednesday 18:29 in Vladivostok: open for a minute more
      const { key } = await f.handOver([toUser(104234, false, 120_000), toQueue(12)], 710_306);
      f.clock.advance(120_000); // 18:31: the line has closed
      await f.engine.drain();
      expect(transfers(f)).toEqual([{ kind: 'user', userId: 104234 }]);
      expect(named(f, 'step.skipped')).toEqual([
        {
          type: 'step.skipped',
          at: expect.any(Number),
          key,
          target: { kind: 'queue', queueId: 12 },
          step: 1,
          reason: 'out-of-hours',
        },
      ]);
      expect(named(f, 'handoff.failed')).toEqual([
        {
          type: 'handoff.failed',
          at: f.clock.now(),
          key,
          code: 'CONFIRMATION_TIMEOUT',
          message: "No operator answered within the step's confirmation timeout",
          step: 0,
          target: { kind: 'user', userId: 104234 },
          steps: 2,
          reason: 'exhausted',
        },
      ]);
    });
  });
}
