import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { createEngine, type Engine, type Logger } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { createRedisStore, isRedisStoreError, type RedisStore } from '@baton/store-redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { uniquePrefix } from './helpers/redis.js';

const portal = 'b24-5c81d0e7';
const commandTimeoutMs = 300;
/** Far above the command timeout: without one, these dispatches would never settle at all. */
const withinMs = 3_000;

const clientMessage = (chatId: number) => ({
  type: 'message' as const,
  id: `ev-${chatId}-1`,
  portal,
  chatId,
  author: { userId: 700_123, kind: 'client' as const },
  text: 'operator, please',
});

/** Resolves with the dispatch's rejection and how long it took; fails the test if it resolved. */
async function rejectionOf(engine: Engine, chatId: number): Promise<{ error: unknown; tookMs: number }> {
  const started = Date.now();
  try {
    await engine.dispatch(clientMessage(chatId));
  } catch (error) {
    return { error, tookMs: Date.now() - started };
  }
  throw new Error('dispatch resolved although Redis does not answer');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const opened: Array<{ engine?: Engine; store: RedisStore }> = [];
afterEach(async () => {
  for (const { engine, store } of opened.splice(0)) {
    await engine?.stop();
    await store.close();
  }
});

describe('a Redis that accepts connections and never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let url = '';

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.resume(); // reads every command, answers none
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `redis://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('makes dispatch reject with REDIS_FAILURE within the command timeout', async () => {
    const store = createRedisStore({ url, prefix: uniquePrefix('silent'), commandTimeoutMs });
    const engine = createEngine({ transport: createFakeTransport(), store });
    engine.on('error', () => {}); // the connection's own reports: tested below
    opened.push({ engine, store });
    const { error, tookMs } = await rejectionOf(engine, 410_001);
    expect(isRedisStoreError(error, 'REDIS_FAILURE')).toBe(true);
    expect((error as Error).message).toMatch(/Redis load failed: Command timed out/);
    expect(tookMs).toBeGreaterThanOrEqual(commandTimeoutMs - 5);
    expect(tookMs).toBeLessThan(withinMs);
  });

  it('fails the readiness check with a coded error', async () => {
    const store = createRedisStore({ url, prefix: uniquePrefix('silent'), commandTimeoutMs });
    const engine = createEngine({ transport: createFakeTransport(), store });
    engine.on('error', () => {});
    opened.push({ engine, store });
    const failure = await engine.ready().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isRedisStoreError(failure, 'REDIS_FAILURE')).toBe(true);
    expect((failure as Error).message).toMatch(/Redis ping failed/);
  });
});

describe('a real Redis that stops answering (SIGSTOP)', () => {
  let child: ChildProcess;
  let url = '';

  beforeAll(async () => {
    const port = await freePort();
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    url = `redis://127.0.0.1:${port}`;
    const probe = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    probe.on('error', () => {});
    for (let attempt = 0; ; attempt += 1) {
      try {
        await probe.ping();
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    probe.disconnect();
  });
  afterAll(() => {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });

  it('rejects dispatch with a coded error while it is paused, and is ready again once it resumes', async () => {
    const store = createRedisStore({ url, prefix: uniquePrefix('paused'), commandTimeoutMs });
    const engine = createEngine({ transport: createFakeTransport(), store });
    engine.on('error', () => {});
    opened.push({ engine, store });
    await engine.ready();
    await engine.dispatch(clientMessage(420_001));

    child.kill('SIGSTOP');
    try {
      const { error, tookMs } = await rejectionOf(engine, 420_002);
      expect(isRedisStoreError(error, 'REDIS_FAILURE')).toBe(true);
      expect(tookMs).toBeLessThan(withinMs);
      await expect(engine.ready()).rejects.toMatchObject({ code: 'REDIS_FAILURE' });
    } finally {
      child.kill('SIGCONT');
    }
    await engine.ready();
    expect((await engine.dispatch(clientMessage(420_003))).status).toBe('applied');
  });
});

describe("the store's own client reports connection failures", () => {
  it('through the engine: an error event with stage store, once per outage, and the logger', async () => {
    const port = await freePort(); // nothing listens there
    const lines: Array<[string, Record<string, unknown>, string]> = [];
    const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
      void lines.push([level, fields, message]);
    const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      prefix: uniquePrefix('refused'),
      commandTimeoutMs,
      logger,
    });
    const engine = createEngine({ transport: createFakeTransport(), store });
    opened.push({ engine, store });
    const heard: Array<{ stage: string; message: string }> = [];
    engine.on('error', (error, context) =>
      heard.push({ stage: context.stage, message: (error as Error).message }),
    );

    const { error } = await rejectionOf(engine, 430_001);
    expect(isRedisStoreError(error, 'REDIS_FAILURE')).toBe(true);
    expect(heard.length).toBe(1); // ioredis retried several times meanwhile: one outage, one report
    expect(heard[0]?.stage).toBe('store');
    expect(heard[0]?.message).toContain('ECONNREFUSED');
    const errors = lines.filter(([level]) => level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[2]).toContain('Redis store connection failed');
    expect(lines.some(([level, , message]) => level === 'debug' && message.includes('reconnecting'))).toBe(
      true,
    );
  });

  it('without a subscriber or a logger, prints the first failure to stderr once', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const port = await freePort();
      const store = createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        prefix: uniquePrefix('alone'),
        commandTimeoutMs,
      });
      opened.push({ store });
      await expect(store.load({ portal, chatId: 440_001 })).rejects.toMatchObject({ code: 'REDIS_FAILURE' });
      await new Promise((resolve) => setTimeout(resolve, 400)); // more reconnect attempts fail meanwhile
      expect(printed).toHaveBeenCalledTimes(1);
      expect(printed.mock.calls[0]?.[0]).toContain('[baton] Redis store connection failed (ECONNREFUSED)');
    } finally {
      printed.mockRestore();
    }
  });
});
