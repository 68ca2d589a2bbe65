/**
 * Scenario 7: one portal's backlog never delays another portal's calls beyond that portal's own
 * budget. Portal A gets 400 transfers at once (80 s of its bucket at 5/s); while A is backlogged,
 * portal B — idle, its bucket empty — gets a few transfers, which must reach the platform at once.
 * The scenario ends when B's calls are measured; A's backlog is not waited for.
 */
import { afterEach, expect, test } from 'vitest';
import { dispatchOk, openStage, type Stage, sendAll } from './harness/scenario.js';
import { addChats, percentile, redisFor, report, transferRequest, waitFor } from './harness/world.js';

const limit = { ratePerSecond: 5, burst: 20 };
const backlog = 400;
const idleTransfers = 10;
const workers = 4;

let stage: Stage | undefined;
afterEach(async () => {
  await stage?.close();
  stage = undefined;
});

const redis = redisFor('standalone');
test.skipIf(redis === undefined)(
  `a portal with ${backlog} calls queued does not delay an idle portal's transfers (under 1 s)`,
  { timeout: 90_000 },
  async () => {
    stage = await openStage({ redis: redis as NonNullable<typeof redis>, portals: 2, limit });
    const { emulator, portals } = stage;
    const [busy, idle] = portals as [(typeof portals)[0], (typeof portals)[0]];
    const busyChats = addChats(emulator, busy, backlog);
    const idleChats = addChats(emulator, idle, idleTransfers);
    const fleet = await stage.startWorkers(workers);

    await sendAll(busyChats, 16, (chatId, i) =>
      dispatchOk(fleet[i % workers] as (typeof fleet)[0], transferRequest(busy, chatId)),
    );
    const busyCalls = () =>
      emulator.requests.filter(
        (r) => r.portal === busy.memberId && r.method === 'imopenlines.bot.session.transfer',
      ).length;
    // A is backlogged: its burst is spent and its calls go out at its drain rate.
    expect(await waitFor(() => busyCalls() >= limit.burst, 20_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const sentAt = new Map<number, number>();
    for (const [i, chatId] of idleChats.entries()) {
      sentAt.set(chatId, Date.now());
      await dispatchOk(fleet[i % workers] as (typeof fleet)[0], transferRequest(idle, chatId));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const idleCalls = () =>
      emulator.requests.filter(
        (r) => r.portal === idle.memberId && r.method === 'imopenlines.bot.session.transfer',
      );
    const allStarted = await waitFor(() => idleCalls().length >= idleTransfers, 30_000);
    // Each idle chat's first transfer, matched by order of dispatch (one call per chat).
    const arrivals = idleCalls()
      .map((r) => r.at)
      .sort((a, b) => a - b);
    const dispatched = [...sentAt.values()].sort((a, b) => a - b);
    const delays = arrivals.map((at, i) => Math.max(0, at - (dispatched[i] as number)));
    const busyServed = busyCalls();
    report('fairness', {
      backlog,
      busyPortalCallsSoFar: busyServed,
      idleTransfers,
      idleStartedMs: { p50: Math.round(percentile(delays, 50)), max: Math.round(Math.max(...delays)) },
    });
    expect(allStarted).toBe(true);
    expect(Math.max(...delays)).toBeLessThan(1_000);
    // The backlog was still there while B was served.
    expect(busyServed).toBeLessThan(backlog);
  },
);
