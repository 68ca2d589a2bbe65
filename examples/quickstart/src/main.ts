/**
 * Baton's quickstart: a bot on an emulated Bitrix24 portal (real HTTP on 127.0.0.1) hands chats
 * to human operators through the engine. Run with `pnpm demo`: everything in memory, one process.
 * With `REDIS_URL` set, chats live in Redis and worker processes share the work.
 *
 * It shows a LEAVE=N hand-over (the bot stays until the operator answers, then Baton removes it),
 * a queue transfer, a deadline with fallback, LEAVE=Y, and a rate-limited burst.
 */
import type { BatonEventInput, PlanStep } from '@baton/core';
import { startDemoPortal } from './demo-portal.js';
import { type Deployment, startMemoryDeployment, startRedisDeployment } from './deployment.js';
import { runScenarios } from './scenarios.js';
import { createTimeline } from './timeline.js';

const portalLimit = { ratePerSecond: 5, burst: 20 };
const workers = Number(process.env.BATON_DEMO_WORKERS ?? 3);

const labels = new Map<number, string>();
const timeline = createTimeline((chatId) => labels.get(chatId) ?? `chat #${chatId}`);
let quiet = false;

// The bot: a client asking for a human gets the hand-over plan prepared for that chat.
const plans = new Map<number, PlanStep[]>();
let deployment: Deployment | undefined;
async function onPortalEvent(event: BatonEventInput): Promise<unknown> {
  if (!deployment) throw new Error('not ready');
  const { engine } = deployment;
  const result = await engine.dispatch(event);
  if (event.type === 'message' && result.route === 'bot' && !quiet) {
    timeline.line(event.chatId, `  bot reads "${event.text ?? ''}"`);
    const plan = plans.get(event.chatId);
    if (plan && /human|operator|person/i.test(event.text ?? '')) {
      plans.delete(event.chatId);
      const handover = {
        type: 'transfer.request',
        id: `handover-${event.chatId}`,
        plan,
        announcement: 'Connecting you to an operator…',
      } as const;
      await engine.dispatch({ ...handover, portal: event.portal, chatId: event.chatId });
    }
  }
  return result;
}

const demo = await startDemoPortal(portalLimit, onPortalEvent);
const redisUrl = process.env.REDIS_URL;
deployment = redisUrl
  ? await startRedisDeployment(demo.access, portalLimit, redisUrl, workers)
  : startMemoryDeployment(demo.access, portalLimit);
timeline.follow(deployment.events, () => quiet);
console.log(
  `Baton demo: ${deployment.description}; portal limit ${portalLimit.ratePerSecond}/s, burst ${portalLimit.burst}`,
);

try {
  await runScenarios({
    demo,
    engine: deployment.engine,
    timeline,
    limit: portalLimit,
    prepare(chatId, label, plan) {
      labels.set(chatId, `${label} #${chatId}`);
      plans.set(chatId, plan);
    },
    setQuiet(value) {
      quiet = value;
    },
  });
  console.log('\nAll hand-overs completed.');
} finally {
  await deployment.close();
  await demo.close();
}
