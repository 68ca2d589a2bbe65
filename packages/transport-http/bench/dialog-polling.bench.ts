// Confirmation polling of many chats of one portal, against the emulator over real HTTP, on the
// system clock: chats start waiting at random moments, then the engine polls every second. Counts
// the requests the emulator receives per poll interval for the portal, with the grouped read
// (`readDialogOwners`: one `batch` per 50 chats, owners only) and, as the baseline in the same run, with a
// transport that reads each chat alone. The portal's budget is off in both runs, so that the
// figures are the requests polling asks for, not what a limiter let through.
// Run: pnpm --filter @baton/transport-http bench   (BENCH_SCALE=0.2 for a short run)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, createMemoryRateLimiter, type Transport } from '@baton/core';
import { createEmulator } from '@baton/testkit';
import { createBitrixTransport } from '../src/index.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const intervalMs = 1_000;
/** Intervals counted, after the chats started waiting and one interval of warm-up. */
const intervals = Math.max(2, Math.round(10 * scale));
const limit = { ratePerSecond: 1_000, burst: 1_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(chats: number, grouped: boolean): Promise<number> {
  const emulator = await createEmulator({ host: '127.0.0.1', port: 0, rateLimit: false });
  try {
    const portal = emulator.createPortal();
    const webhook = portal.createWebhook();
    const bot = portal.registerBot({ code: 'support_bot' });
    const operator = portal.createOperator({ name: 'Ann' });
    const line = portal.createLine({ name: 'Support', queue: [operator.userId] });
    const http = createBitrixTransport({
      portals: {
        [portal.memberId]: {
          auth: { type: 'webhook', url: webhook.baseUrl },
          bot: { id: bot.botId, clientId: bot.clientId },
        },
      },
      rateLimiter: createMemoryRateLimiter({ limit }),
    });
    // The baseline: the same transport without the grouped read, as before it existed.
    const single: Transport = {
      rateLimiter: http.rateLimiter,
      transfer: http.transfer,
      removeBot: http.removeBot,
      readDialogOwner: http.readDialogOwner,
      sendBotMessage: http.sendBotMessage,
    };
    const engine = createEngine({
      transport: grouped ? http : single,
      confirmationPollIntervalMs: intervalMs,
    });
    engine.start();
    // Chats start waiting at random moments of one interval.
    await Promise.all(
      Array.from({ length: chats }, async (_, index) => {
        await sleep(Math.random() * intervalMs);
        const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId });
        await engine.dispatch({
          type: 'transfer.request',
          id: `handover-${chat.chatId}-${index}`,
          portal: portal.memberId,
          chatId: chat.chatId,
          plan: [
            {
              target: { kind: 'user', userId: operator.userId },
              leave: false,
              confirmationTimeoutMs: 3_600_000,
            },
          ],
        });
      }),
    );
    await sleep(2 * intervalMs);
    // Count whole intervals: polls come due on the interval's grid and are read within a few
    // hundred milliseconds, so the window runs from 700 ms past one grid point to 700 ms past another.
    await sleep(intervalMs - ((Date.now() - 700) % intervalMs));
    emulator.resetRequests();
    await sleep(intervals * intervalMs);
    const requests = emulator.requests.filter((request) => request.portal === portal.memberId).length;
    await engine.stop();
    await http.close();
    return requests / intervals;
  } finally {
    await emulator.close();
  }
}

const label = 'dialog.get polling, 40 chats at 1 s: requests per interval per portal';
const grouped40 = await measure(40, true);
const grouped50 = await measure(50, true);
const single40 = await measure(40, false);
console.log(`${intervals} intervals of ${intervalMs} ms each; the portal's budget off (requests asked for)`);
console.log(`  ${label.padEnd(72)} ${grouped40.toFixed(2)} (goal <= 1)`);
console.log(`  ${'the same, 50 chats'.padEnd(72)} ${grouped50.toFixed(2)} (goal <= 1)`);
console.log(
  `  ${'the same, 40 chats, each read alone (before grouped reads)'.padEnd(72)} ${single40.toFixed(2)}`,
);

// Where `scripts/bench-all.mjs` collects figures for docs/benchmarks.md, when it asks for them.
const out = process.env.BENCH_OUT;
if (out !== undefined) {
  mkdirSync(out, { recursive: true });
  const figures = [
    {
      id: 'pollRequestsPerInterval',
      label: '`dialog.get` polling, 40 chats at a 1 s interval: requests per interval per portal',
      value: grouped40,
      unit: 'requests',
      goal: { better: 'lower', limit: 1 },
      note: `one \`batch\` holds 50 chats (one dialog.get each); 50 chats: ${grouped50.toFixed(2)}; each read alone: ${single40.toFixed(2)}`,
    },
  ];
  writeFileSync(
    join(out, 'dialog-polling.json'),
    `${JSON.stringify({ name: 'dialog-polling', figures }, null, 2)}\n`,
  );
}
