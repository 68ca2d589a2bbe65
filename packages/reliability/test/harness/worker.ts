/**
 * One worker process of a reliability scenario: an engine on the shared Redis store (standalone
 * or Cluster), the Bitrix transport to the emulator's portals through a shared Redis rate limiter,
 * and the real inbound HTTP handler. Started by `workers.ts` with `fork`; told its settings as
 * JSON in `BATON_RELIABILITY_WORKER`.
 *
 * Crash points (`crash`) kill the process with SIGKILL at a precise moment of an outbox call, so
 * that a scenario can prove what survives a death exactly there.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEngine,
  createRouter,
  type EngineOptions,
  leastBusy,
  type RateLimiter,
  type Store,
  withHeadroom,
} from '@baton/core';
import { createRedisRateLimiter, createRedisStore, recommendedClientOptions } from '@baton/store-redis';
import { createBitrixTransport, createNodeEventHandler } from '@baton/transport-http';
import { Cluster, Redis } from 'ioredis';
import type { CrashPoint, WorkerConfig, WorkerMessage } from './protocol.js';

const config = JSON.parse(process.env.BATON_RELIABILITY_WORKER ?? '{}') as WorkerConfig;
const send = (message: WorkerMessage) => process.send?.(message);

function openClient(): Redis | Cluster {
  const extra = config.commandTimeoutMs === undefined ? {} : { commandTimeout: config.commandTimeoutMs };
  if ('url' in config.redis) {
    return new Redis(config.redis.url, {
      ...recommendedClientOptions,
      ...extra,
      // Reconnect quickly after a Redis restart or a CLIENT KILL.
      retryStrategy: (times: number) => Math.min(50 * times, 500),
    });
  }
  return new Cluster(
    config.redis.cluster.map((node) => {
      const [host, port] = node.split(':');
      return { host: host as string, port: Number(port) };
    }),
    {
      scaleReads: 'master',
      redisOptions: { ...recommendedClientOptions, ...extra },
    },
  );
}

/** Counts the moments a crash point may hit, and kills this process at the chosen one. */
function crashHere(point: CrashPoint): void {
  if (config.crash?.at !== point) return;
  crashCounts[point] = (crashCounts[point] ?? 0) + 1;
  if (crashCounts[point] === config.crash.nth) {
    send({ type: 'crashing', at: point });
    process.kill(process.pid, config.crash.action === 'stop' ? 'SIGSTOP' : 'SIGKILL');
  }
}
const crashCounts: Partial<Record<CrashPoint, number>> = {};

const client = openClient();
// Connection errors (a Redis restart, CLIENT KILL) are expected in fault scenarios: the client
// reconnects by itself and failed commands surface as store errors. Counted, not printed.
let redisErrors = 0;
client.on('error', () => {
  redisErrors += 1;
});
const storeSettings = {
  prefix: config.prefix,
};
const baseStore = createRedisStore(
  'url' in config.redis
    ? { redis: client as Redis, ...storeSettings }
    : { cluster: client as Cluster, ...storeSettings },
);
const baseLimiter = createRedisRateLimiter({
  ...('url' in config.redis ? { redis: client as Redis } : { cluster: client as Cluster }),
  prefix: config.prefix,
  limit:
    config.headroomReserve === undefined
      ? withHeadroom(config.limit)
      : withHeadroom(config.limit, config.headroomReserve),
});

// The store and limiter as the engine and transport see them, with the crash points in place.
const store: Store & typeof baseStore = Object.assign(Object.create(baseStore) as typeof baseStore, {
  async commit(commit: Parameters<Store['commit']>[0]) {
    const result = await baseStore.commit(commit);
    if (result.status === 'committed' && commit.effects.some((e) => e.call.kind === 'transfer')) {
      crashHere('after-commit');
    }
    return result;
  },
  async completeEffect(effect: Parameters<Store['completeEffect']>[0]) {
    crashHere('after-result');
    return baseStore.completeEffect(effect);
  },
});
const rateLimiter: RateLimiter = {
  async acquire(portal) {
    const decision = await baseLimiter.acquire(portal);
    if (decision.granted) crashHere('after-grant');
    return decision;
  },
  penalize: (portal, backoffMs) => baseLimiter.penalize(portal, backoffMs),
  close: () => baseLimiter.close(),
};

const instrumentedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url.includes('imopenlines.bot.session.transfer')) {
    // The platform has the call; its answer is about to be lost with this process.
    crashHere('after-send');
  }
  return response;
};

const transport = createBitrixTransport({
  rateLimiter,
  fetch: instrumentedFetch,
  portals: Object.fromEntries(
    config.portals.map((p) => [
      p.memberId,
      {
        auth: { type: 'webhook' as const, url: p.webhookUrl },
        bot: { id: p.botId, clientId: p.botClientId },
      },
    ]),
  ),
});

const engine = createEngine({
  transport,
  store,
  worker: config.worker,
  ...(config.lifecycle === undefined
    ? {}
    : { lifecycle: config.lifecycle as NonNullable<EngineOptions['lifecycle']> }),
  defaults: { confirmationTimeoutMs: config.confirmationTimeoutMs ?? 120_000 },
  ...(config.routing === undefined
    ? {}
    : {
        router: createRouter({
          fallback: leastBusy(config.routing.pool, {
            maxChats: config.routing.maxChats,
            leave: config.routing.leave,
          }),
        }),
      }),
});
let engineErrors = 0;
engine.on('error', (error, context) => {
  engineErrors += 1;
  if (engineErrors <= 5) console.error(`[${config.name}] ${context.stage}: ${String(error)}`);
});
engine.on('timer.fired', (payload) => {
  if (!payload.stale)
    send({
      type: 'timer',
      portal: payload.key.portal,
      chatId: payload.key.chatId,
      timerId: payload.timerId,
      at: Date.now(),
    });
});

const inbound = createNodeEventHandler({
  applicationTokens: Object.fromEntries(config.portals.map((p) => [p.memberId, p.applicationToken])),
  accept: (event) => engine.dispatch(event),
  ...(config.acceptRetryMs === undefined ? {} : { acceptRetry: { maxWaitMs: config.acceptRetryMs } }),
});

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

const server = createServer((request, response) => {
  if (request.url === '/_dispatch') {
    // The bot application's own events (a transfer request) go straight to the engine.
    readJson(request)
      .then((event) => engine.dispatch(event as Parameters<typeof engine.dispatch>[0]))
      .then(
        (result) => reply(response, 200, result),
        (error: unknown) =>
          reply(response, 503, {
            code: (error as { code?: string }).code ?? 'UNEXPECTED',
            message: String(error),
          }),
      );
    return;
  }
  if (request.url === '/_stats') {
    reply(response, 200, { engineErrors, redisErrors, pid: process.pid, rss: process.memoryUsage().rss });
    return;
  }
  void inbound(request, response);
});
server.keepAliveTimeout = 30_000;

process.on('message', async (message) => {
  if (message !== 'stop') return;
  server.close();
  server.closeAllConnections();
  await engine.stop();
  await Promise.allSettled([transport.close(), rateLimiter.close(), baseStore.close()]);
  client.disconnect();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  if (config.background !== false) engine.start();
  send({ type: 'ready', port: (server.address() as AddressInfo).port, pid: process.pid });
});
