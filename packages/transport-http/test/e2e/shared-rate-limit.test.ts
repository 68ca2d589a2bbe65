import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createEngine, isBatonError, withRateLimit } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { createRedisRateLimiter, createRedisStore } from '@baton/store-redis';
import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBitrixTransport } from '../../src/transport.js';
import type {
  EngineWorkerCommand,
  EngineWorkerConfig,
  EngineWorkerMessage,
} from '../helpers/engine-worker.js';

// Two worker processes (child_process.fork) set up as the store-redis README says, against the
// emulator over HTTP on 127.0.0.1 with its rate limit on.
const redisUrl = inject('redis').standaloneUrl;
const workerPath = fileURLToPath(new URL('../helpers/engine-worker.ts', import.meta.url));
const limit = { ratePerSecond: 5, burst: 10 };
const children: ChildProcess[] = [];
const emulators: Emulator[] = [];
let runs = 0;

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve(undefined);
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});

function startWorker(config: EngineWorkerConfig) {
  const child = fork(workerPath, [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  children.push(child);
  const next = (kind: EngineWorkerMessage['kind']) =>
    new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      const onMessage = (message: EngineWorkerMessage) => {
        if (message.kind !== kind) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
    });
  return {
    ready: next('ready'),
    async handOver(command: EngineWorkerCommand) {
      const requested = next('requested');
      child.send(command);
      await requested;
    },
  };
}

describe.skipIf(redisUrl === undefined)('rate limiting across worker processes', () => {
  it('two workers set up as the store-redis README says share the portal budget: no QUERY_LIMIT_EXCEEDED', async () => {
    const emulator = await createEmulator({ host: '127.0.0.1', port: 0, rateLimit: limit });
    emulators.push(emulator);
    const portal = emulator.createPortal();
    const webhook = portal.createWebhook();
    const bot = portal.registerBot({ eventsVersion: 1 });
    const operator = portal.createOperator({ name: 'Ann' });
    const line = portal.createLine({ name: 'Support', queue: [operator.userId] });
    const chats = Array.from(
      { length: 24 },
      () => portal.createClientChat({ lineId: line.lineId, botId: bot.botId, announceJoin: false }).chatId,
    );
    const config: EngineWorkerConfig = {
      redisUrl: redisUrl as string,
      prefix: `shared-limit-${process.pid}-${Date.now()}-${++runs}`,
      portal: portal.memberId,
      webhookUrl: webhook.baseUrl,
      botId: bot.botId,
      botClientId: bot.clientId,
      limit,
    };
    const workers = [startWorker(config), startWorker(config)];
    await Promise.all(workers.map((worker) => worker.ready));
    await Promise.all([
      workers[0]?.handOver({ op: 'handOver', chatIds: chats.slice(0, 12), operatorId: operator.userId }),
      workers[1]?.handOver({ op: 'handOver', chatIds: chats.slice(12), operatorId: operator.userId }),
    ]);
    const transferred = () => chats.filter((chatId) => portal.chat(chatId).transfers.length > 0).length;
    const giveUpAt = Date.now() + 20_000;
    while (transferred() < chats.length && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(transferred()).toBe(chats.length);
    expect(emulator.requests.filter((request) => request.error === 'QUERY_LIMIT_EXCEEDED')).toEqual([]);
  }, 30_000);

  it('refuses a Redis store next to a limiter of one process once asked to make calls, and a limiter given to the engine', async () => {
    const prefix = `shared-limit-refused-${process.pid}-${++runs}`;
    const store = createRedisStore({ url: redisUrl as string, prefix });
    const shared = createRedisRateLimiter({ url: redisUrl as string, prefix });
    const unshared = createBitrixTransport({
      portals: {
        'b24-5d1e07': {
          auth: { type: 'webhook', url: 'http://127.0.0.1:9/rest/1/s3cr3t/' },
          bot: { id: 100_207 },
        },
      },
    });
    try {
      const refusal = (make: () => unknown) => {
        try {
          make();
        } catch (error) {
          return error;
        }
        return undefined;
      };
      // Refused as soon as it is asked to make calls; an engine that only reads chats is not.
      for (const transport of [unshared, createFakeTransport()]) {
        const engine = createEngine({ transport, store });
        expect(
          isBatonError(
            refusal(() => engine.start()),
            'UNSHARED_RATE_LIMITER',
          ),
        ).toBe(true);
        const drained = await engine.drain().catch((error: unknown) => error);
        expect(isBatonError(drained, 'UNSHARED_RATE_LIMITER')).toBe(true);
        expect(await engine.getChat({ portal: 'b24-5d1e07', chatId: 104_377 })).toBeUndefined();
        await engine.stop();
      }
      expect(
        isBatonError(
          refusal(() => createEngine({ transport: unshared, store, rateLimiter: shared } as never)),
          'RATE_LIMITER_MISPLACED',
        ),
      ).toBe(true);
      const accepted = createEngine({ transport: withRateLimit(createFakeTransport(), shared), store });
      await accepted.stop();
    } finally {
      await Promise.all([unshared.close(), shared.close(), store.close()]);
    }
  });
});
