/**
 * Scenario 6 (and 9 on the Cluster): the platform's rate limit holds across worker processes.
 * Three portals, each with a backlog of transfers spread over eight workers; the emulator's own
 * request log is replayed against the portal's leaky bucket.
 */
import { withHeadroom } from '@baton/core';
import { afterEach, describe, expect, test } from 'vitest';
import { dispatchOk, openStage, type Stage, sendAll } from './harness/scenario.js';
import { addChats, rateFigures, redisFor, report, transferRequest, waitFor } from './harness/world.js';

const limit = { ratePerSecond: 5, burst: 20 };

const cases = [
  { target: 'standalone' as const, workers: 8, transfersPerPortal: 150 },
  // Scenario 9: the same on the 3-primary Cluster, smaller.
  { target: 'cluster' as const, workers: 4, transfersPerPortal: 60 },
];

describe.each(cases)('rate limit across workers ($target)', ({ target, workers, transfersPerPortal }) => {
  let stage: Stage | undefined;
  afterEach(async () => {
    await stage?.close();
    stage = undefined;
  });

  const redis = redisFor(target);
  test.skipIf(redis === undefined)(
    `${workers} workers, 3 portals, ${transfersPerPortal} transfers each: no window above the bucket, no refusal, drain >= 95%`,
    { timeout: 120_000 },
    async () => {
      stage = await openStage({ redis: redis as NonNullable<typeof redis>, portals: 3, limit });
      const { emulator, portals } = stage;
      const chats = portals.map((portal) => addChats(emulator, portal, transfersPerPortal));
      const fleet = await stage.startWorkers(workers);

      const requests = portals.flatMap((portal, p) =>
        (chats[p] as number[]).map((chatId) => ({ portal, chatId })),
      );
      const started = Date.now();
      await sendAll(requests, 16, ({ portal, chatId }, i) =>
        dispatchOk(fleet[i % fleet.length] as (typeof fleet)[number], transferRequest(portal, chatId)),
      );
      const transfersOf = (memberId: string) =>
        emulator.requests.filter(
          (r) => r.portal === memberId && r.method === 'imopenlines.bot.session.transfer' && r.status === 200,
        ).length;
      const done = await waitFor(
        () => portals.every((portal) => transfersOf(portal.memberId) >= transfersPerPortal),
        (transfersPerPortal / limit.ratePerSecond) * 1_000 + 30_000,
        200,
      );
      const figures = portals.map((portal) => ({
        portal: portal.memberId.slice(0, 8),
        transfers: transfersOf(portal.memberId),
        ...rateFigures(emulator.requests, portal.memberId, limit, withHeadroom(limit).burst),
      }));
      report(`rate limit (${target})`, {
        workers,
        limit,
        seconds: (Date.now() - started) / 1_000,
        portals: figures,
      });
      expect(done).toBe(true);
      for (const f of figures) {
        expect(f.refusals).toBe(0);
        expect(f.maxBucketLevel).toBeLessThanOrEqual(limit.burst);
        expect(f.maxPerSecond).toBeLessThanOrEqual(limit.burst + limit.ratePerSecond);
        expect(f.efficiency).toBeGreaterThanOrEqual(0.95);
        // One transfer per chat: nothing repeated in normal operation.
        expect(f.transfers).toBe(transfersPerPortal);
      }
    },
  );
});
