import { createEngine, type Engine, withRateLimit } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { createRedisRateLimiter, createRedisStore, type RedisStore } from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

// Idle engines wait for work hints instead of polling: a worker whose poll interval is a minute
// still takes work another worker committed, and fires a timer when it is due, because commits
// announce their work and claims say when a portal next has something due.
const portal = 'b24-hints.bitrix24.ru';
const operatorId = 1_204_377;
const clientId = 5_120_377;
let eventSeq = 410_000;

for (const target of redisTargets()) {
  describe.skipIf(target.skipReason !== undefined)(
    `work hints on ${target.name}${target.skipReason ? ` (not run: ${target.skipReason})` : ''}`,
    () => {
      let admin: Redis | Cluster;
      const prefix = uniquePrefix('hints');
      const clients: (Redis | Cluster)[] = [];
      const stores: RedisStore[] = [];
      const closers: (() => Promise<void>)[] = [];
      const engines: Engine[] = [];

      const worker = (pollIntervalMs = 60_000, transport = createFakeTransport()) => {
        const client = target.connect();
        clients.push(client);
        const connection =
          target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis };
        const store = createRedisStore({ ...connection, prefix });
        stores.push(store);
        const limiter = createRedisRateLimiter({ ...connection, prefix });
        closers.push(() => limiter.close());
        // With a poll interval of a minute, only hints can make this engine act within a test.
        const engine = createEngine({
          transport: withRateLimit(transport, limiter),
          store,
          worker: { pollIntervalMs },
        });
        engines.push(engine);
        return { engine, store, transport };
      };

      beforeAll(() => {
        admin = target.connect();
      });
      afterEach(async () => {
        await Promise.all(engines.splice(0).map((engine) => engine.stop()));
        await Promise.all(stores.splice(0).map((store) => store.close()));
        await Promise.all(closers.splice(0).map((close) => close()));
        await Promise.all(clients.splice(0).map((client) => closeClient(client)));
      });
      afterAll(async () => {
        await deletePrefix(admin, prefix);
        await closeClient(admin);
      });

      const waitFor = async (check: () => boolean, what: string, timeoutMs = 4_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };

      /** A LEAVE=N hand-over to the operator, as a bot asks for it. */
      const handOver = (chatId: number, extra: { confirmationTimeoutMs?: number } = {}) =>
        ({
          type: 'transfer.request',
          id: `tr-${++eventSeq}`,
          portal,
          chatId,
          target: { kind: 'user', userId: operatorId },
          leave: false,
          ...extra,
        }) as const;

      it("an idle started engine takes the transfer another worker's commit recorded", async () => {
        const idle = worker();
        idle.engine.start();
        // Let its first sweep pass, so that what follows can only be found through a hint.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const other = worker(); // never started: it only commits
        const chatId = 2_304_001;
        await other.engine.dispatch(handOver(chatId));
        await waitFor(() => idle.transport.callsOf('transfer').length === 1, 'the idle engine to transfer');
        expect(other.transport.callsOf('transfer')).toEqual([]);
      });

      it('an idle started engine fires a timer when it comes due', async () => {
        const idle = worker();
        idle.engine.start();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const chatId = 2_304_002;
        const fired: number[] = [];
        idle.engine.on('timer.fired', (payload) => fired.push(payload.key.chatId));
        // A transfer with a short confirmation timeout: its deadline is a durable timer.
        await idle.engine.dispatch(handOver(chatId, { confirmationTimeoutMs: 600 }));
        await waitFor(() => fired.includes(chatId), 'the confirmation timer to fire');
      });

      it('an idle started engine sends next to no commands, whatever its poll interval', async () => {
        const idle = worker(200);
        await idle.engine.dispatch({
          type: 'message',
          id: `im-${++eventSeq}`,
          portal,
          chatId: 2_304_003,
          author: { userId: clientId, kind: 'client' },
          text: 'Добрый день, где мой заказ?',
        });
        idle.engine.start();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const client = clients.at(-1) as Redis | Cluster;
        const sent: string[] = [];
        // Counted at the client: every command the engine's store sends over 3 s of idleness.
        const original = client.sendCommand.bind(client);
        client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
          sent.push(command.name);
          return (original as (...args: unknown[]) => unknown)(command, ...rest);
        }) as typeof client.sendCommand;
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        // At most one sweep (every 5 s) of the outbox and the timers: a few commands, where polling
        // every 200 ms would send 2 × 15.
        expect(sent.length).toBeLessThanOrEqual(4);
      });
    },
  );
}
