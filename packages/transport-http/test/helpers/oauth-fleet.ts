import { type ChildProcess, fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createEmulator, type Emulator } from '@baton/testkit';
import { Redis } from 'ioredis';
import { createNodeEventHandler } from '../../src/inbound/node-handler.js';
import type { WorkerCommand, WorkerConfig, WorkerMessage } from './oauth-worker.js';
import { createRedisTokenStore } from './redis-token-store.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const workerPath = fileURLToPath(new URL('./oauth-worker.ts', import.meta.url));
let prefixes = 0;

/** One forked worker process: calls, replies, and what it reported. */
export interface FleetWorker {
  call(chatId: number): Promise<{ ok: boolean; code?: string; tokenRequests: number }>;
  failWrites(failing: boolean): Promise<void>;
  readonly authEvents: Array<{ type: string; reason?: string }>;
  kill(): Promise<void>;
}

/**
 * The emulator, one OAuth portal with a bot whose events go to an event handler in this process
 * (storing event tokens into deployment `prefix`'s Redis store), and worker processes per
 * deployment, each with its own transport on that deployment's Redis store and locks.
 */
export async function startFleet(redisUrl: string, lockTtlMs = 1_500) {
  const emulator: Emulator = await createEmulator({ host: '127.0.0.1', port: 0, rateLimit: false });
  const portal = emulator.createPortal();
  const app = portal.installApp();
  const redis = new Redis(redisUrl);
  const run = `oauth-fleet-${process.pid}-${Date.now()}-${++prefixes}`;
  const deployment = (name: string) => `${run}-${name}`;
  const storeOf = (name: string) => createRedisTokenStore(redis, deployment(name)).store;
  const seed = (name: string) =>
    storeOf(name).set(portal.memberId, {
      accessToken: app.accessToken,
      refreshToken: app.refreshToken,
      clientEndpoint: app.clientEndpoint,
      expiresAt: app.expiresAt,
    });

  const handler = createNodeEventHandler({
    applicationTokens: { [portal.memberId]: portal.applicationToken },
    accept: async () => undefined,
    oauthTokens: storeOf('main'),
  });
  const server: Server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bot = portal.registerBot({
    eventHandlerUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    appClientId: app.clientId,
  });
  const operator = portal.createOperator({ name: 'Ann' });
  const line = portal.createLine({ name: 'Support', queue: [operator.userId] });
  const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId, announceJoin: false });
  const children: ChildProcess[] = [];

  async function startWorker(name = 'main'): Promise<FleetWorker> {
    const config: WorkerConfig = {
      redisUrl,
      prefix: deployment(name),
      portal: portal.memberId,
      botId: bot.botId,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      tokenUrl: `${emulator.url}/oauth/token/`,
      lockTtlMs,
    };
    const child = fork(workerPath, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    children.push(child);
    const pending = new Map<number, (message: WorkerMessage & { kind: 'reply' }) => void>();
    const authEvents: Array<{ type: string; reason?: string }> = [];
    let ids = 0;
    const ready = new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      child.on('message', (message: WorkerMessage) => {
        if (message.kind === 'ready') resolve();
        else if (message.kind === 'auth')
          authEvents.push({ type: message.type, ...(message.reason ? { reason: message.reason } : {}) });
        else pending.get(message.id)?.(message);
      });
    });
    await ready;
    const ask = (command: DistributiveOmit<WorkerCommand, 'id'>) =>
      new Promise<WorkerMessage & { kind: 'reply' }>((resolve) => {
        const id = ++ids;
        pending.set(id, resolve);
        child.send({ ...command, id });
      });
    return {
      async call(chatId) {
        const { ok, code, tokenRequests } = await ask({ op: 'call', chatId });
        return { ok, tokenRequests, ...(code === undefined ? {} : { code }) };
      },
      async failWrites(failing) {
        await ask({ op: 'failWrites', failing });
      },
      authEvents,
      async kill() {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  return {
    emulator,
    portal,
    chatId: chat.chatId,
    seed,
    storeOf,
    startWorker,
    /** A client message: the platform sends the bot an event carrying a fresh token pair. */
    nextEvent: () => portal.clientWrites(chat.chatId, 'Hello again'),
    tokenRequestsSeen: () => emulator.requests.filter((request) => request.method === 'oauth.token').length,
    async close() {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
      redis.disconnect();
    },
  };
}
