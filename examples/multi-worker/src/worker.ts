/**
 * A worker process: an engine on the shared Redis store that runs the outbox (the platform
 * calls) and the durable timers. It takes no HTTP traffic. Any number of them can run; one that
 * dies leaves its claimed calls and timers to the others once their leases end.
 */
import { engineEventNames } from '@baton/core';
import { createDeploymentEngine, type DeploymentConfig } from './deployment.js';

const name = process.env.WORKER_NAME ?? `worker-${process.pid}`;
const config = JSON.parse(process.env.DEPLOYMENT ?? '{}') as DeploymentConfig;
const { engine, close } = createDeploymentEngine(config);

engine.on('error', (error, context) => console.error(`[${name}] ${context.stage} failed: ${String(error)}`));
// Tell the entry process what this worker did, for the printed timeline.
for (const event of engineEventNames) {
  if (event === 'error' || event === 'transition') continue;
  engine.on(event, (payload: unknown) => process.send?.({ worker: name, event, payload }));
}

process.on('message', async (message) => {
  if (message !== 'stop') return;
  await close();
  process.exit(0);
});
engine.start();
process.send?.('ready');
