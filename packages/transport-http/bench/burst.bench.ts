// Wall time of a 120-request burst on one portal through the transport's rate limiter, against
// the emulator over real HTTP, compared with the theoretical minimum the bucket allows:
// (requests - burst) / ratePerSecond. Also counts QUERY_LIMIT_EXCEEDED answers (should be 0).
// Run: pnpm --filter @baton/transport-http bench   (BENCH_RATE, BENCH_BURST, BENCH_REQUESTS to tune)
import { createMemoryRateLimiter } from '@baton/core';
import { createEmulator } from '@baton/testkit';
import { createBitrixTransport } from '../src/index.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 120);
const ratePerSecond = Number(process.env.BENCH_RATE ?? 20);
const burst = Number(process.env.BENCH_BURST ?? 50);
/** Baton's limiter keeps this much below the portal's burst, for arrival jitter. */
const headroom = Number(process.env.BENCH_HEADROOM ?? Math.ceil(burst * 0.1));

const emulator = await createEmulator({ rateLimit: { ratePerSecond, burst } });
try {
  const portal = emulator.createPortal();
  const webhook = portal.createWebhook();
  const bot = portal.registerBot();
  const line = portal.createLine({ queue: [portal.createOperator().userId] });
  const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId });
  const transport = createBitrixTransport({
    portals: {
      [portal.memberId]: {
        auth: { type: 'webhook', url: webhook.baseUrl },
        bot: { id: bot.botId, clientId: bot.clientId },
      },
    },
    rateLimiter: createMemoryRateLimiter({ limit: { ratePerSecond, burst: burst - headroom } }),
  });
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: requests }, () =>
      transport.readDialogOwner({ portal: portal.memberId, chatId: chat.chatId }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await transport.close();
  const minimum = Math.max(0, requests - burst) / ratePerSecond;
  const limiterMinimum = Math.max(0, requests - (burst - headroom)) / ratePerSecond;
  const refused = emulator.requests.filter((request) => request.error === 'QUERY_LIMIT_EXCEEDED').length;
  console.log(
    `burst of ${requests} requests; portal bucket ${ratePerSecond}/s, burst ${burst}; limiter burst ${burst - headroom}`,
  );
  console.log(`  wall time              ${seconds.toFixed(3)} s`);
  console.log(`  theoretical minimum    ${minimum.toFixed(3)} s (the portal's bucket)`);
  console.log(`  limiter minimum        ${limiterMinimum.toFixed(3)} s (with headroom)`);
  console.log(`  overhead vs minimum    ${(seconds - minimum).toFixed(3)} s`);
  console.log(`  failed calls           ${results.filter((result) => !result.ok).length}`);
  console.log(`  QUERY_LIMIT_EXCEEDED   ${refused}`);
} finally {
  await emulator.close();
}
