import { createEngine, type Engine, type PlanStep } from '@baton/core';
import { createManualClock } from '@baton/core/fakes';
import { afterEach, describe, expect, it } from 'vitest';
import { createPlatformAvailability } from '../../src/platform-availability.js';
import { type E2E, startE2E } from '../helpers/e2e.js';

let e2e: E2E | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop();
  await e2e?.close();
  engine = undefined;
  e2e = undefined;
});

const closedText = 'We are closed now; the team is back at 9:00 Vladivostok time.';

/** The emulator's portal with a night line in Vladivostok (UTC+10) and an engine that asks the portal. */
async function begin(at: string) {
  const t = await startE2E();
  e2e = t;
  const clock = createManualClock(Date.parse(at));
  const night = t.portal.createLine({
    name: 'Far East',
    queue: [t.operatorB.userId],
    worktime: {
      from: '9',
      to: '18.30',
      timeZone: 'Asia/Vladivostok',
      daysOff: ['SA', 'SU'],
      holidays: ['1.01', '8.03'],
    },
  });
  t.portal.setWorkday(t.operatorA.userId, 'CLOSED');
  const skipped: unknown[] = [];
  const failed: unknown[] = [];
  engine = createEngine({
    transport: t.transport,
    clock,
    availability: { source: createPlatformAvailability(t.transport.client), checkOperators: true },
    lifecycle: { waitingRoom: { outOfHoursMessage: closedText } },
  });
  engine.on('step.skipped', ({ step, reason }) => skipped.push({ step, reason }));
  engine.on('handoff.failed', ({ code, reason }) => failed.push({ code, reason }));
  const ready = engine;
  const { chatId } = t.newChat();
  const transfer = async (plan: PlanStep[]) => {
    await ready.dispatch({
      type: 'transfer.request',
      id: `tr-${chatId}`,
      portal: t.portal.memberId,
      chatId,
      plan,
    });
    await ready.drain();
  };
  return { t, engine: ready, night, chatId, skipped, failed, transfer };
}

const queueStep = (queueId: number): PlanStep => ({
  target: { kind: 'queue', queueId },
  leave: false,
  confirmationTimeoutMs: 60_000,
});
const userStep = (userId: number): PlanStep => ({
  target: { kind: 'user', userId },
  leave: false,
  confirmationTimeoutMs: 60_000,
});

describe('working hours and availability read from the portal', () => {
  it('skips a line out of its hours in its own zone (Tuesday 22:30 UTC is Wednesday 08:30 there) and an operator whose workday is closed', async () => {
    const { t, night, chatId, skipped, transfer } = await begin('2026-03-03T22:30:00Z');
    await transfer([queueStep(night.lineId), userStep(t.operatorA.userId), queueStep(t.line.lineId)]);
    expect(skipped).toEqual([
      { step: 0, reason: 'out-of-hours' },
      { step: 1, reason: 'operator-unavailable' },
    ]);
    expect(t.portal.chat(chatId).transfers).toEqual([{ to: { queueId: t.line.lineId }, leave: false }]);
  });

  it('takes the line once it opens (Tuesday 23:30 UTC is Wednesday 09:30 there)', async () => {
    const { t, night, chatId, skipped, transfer } = await begin('2026-03-03T23:30:00Z');
    await transfer([queueStep(night.lineId)]);
    expect(skipped).toEqual([]);
    expect(t.portal.chat(chatId).transfers).toEqual([{ to: { queueId: night.lineId }, leave: false }]);
  });

  it('every step skipped: handoff.failed no-one-available, and the client hears the out-of-hours message', async () => {
    const { t, engine: e, night, chatId, failed, transfer } = await begin('2026-03-07T03:00:00Z'); // Saturday there
    await transfer([queueStep(night.lineId), userStep(t.operatorA.userId)]);
    expect(failed).toEqual([{ code: 'NO_ONE_AVAILABLE', reason: 'no-one-available' }]);
    expect(t.portal.chat(chatId).transfers).toEqual([]);
    expect(t.portal.messages(chatId).map((m) => m.text)).toContain(closedText);
    expect((await e.getChat({ portal: t.portal.memberId, chatId }))?.state).toBe('bot');
  });
});
