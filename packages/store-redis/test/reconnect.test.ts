import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { commitFor, effectFor } from '@baton/core/testing';
import { createRedisStore } from '@baton/store-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

const standalone = redisTargets().find((target) => target.name === 'standalone');

/**
 * A loopback proxy in front of Redis that can lose one reply: once a request containing a
 * marker passes, the server's next answer is swallowed and the client's connection is cut.
 * The command has run on the server, the client never heard back — what a network failure
 * does — and ioredis resends the command when it reconnects.
 */
async function startReplyLosingProxy(target: URL) {
  let marker: string | undefined;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connectTcp(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let swallowNext = false;
    client.on('data', (chunk) => {
      if (marker !== undefined && chunk.includes(marker)) {
        marker = undefined;
        swallowNext = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!swallowNext) {
        client.write(chunk);
        return;
      }
      client.destroy();
      upstream.destroy();
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    loseReplyAfter(text: string) {
      marker = text;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.skipIf(standalone?.skipReason !== undefined)('a commit resent after a reconnect', () => {
  let direct: Redis;
  beforeAll(() => {
    direct = standalone?.connect() as Redis;
  });
  afterAll(async () => closeClient(direct));

  it('runs twice on the server, applies once, and answers duplicate', async () => {
    const url = new URL(inject('redis').standaloneUrl as string);
    const proxy = await startReplyLosingProxy(url);
    const client = new Redis(proxy.port, '127.0.0.1', { retryStrategy: () => 10 });
    client.on('error', () => {});
    const prefix = uniquePrefix('resend');
    const store = createRedisStore({ redis: client, prefix });
    const chat = { portal: 'p', chatId: 3 };
    try {
      // Loads the scripts into the server, so that the resent command is the same EVALSHA.
      await store.commit(commitFor(chat, 0, 'warm-up'));
      let reconnects = 0;
      client.on('reconnecting', () => {
        reconnects += 1;
      });

      proxy.loseReplyAfter('the-event');
      const result = await store.commit(
        commitFor(chat, 1, 'the-event', { effects: [effectFor(chat, 'fx')] }),
      );

      expect(reconnects).toBeGreaterThanOrEqual(1);
      expect(result).toEqual({ status: 'duplicate' });
      const reader = createRedisStore({ redis: direct, prefix });
      expect((await reader.load(chat))?.version).toBe(2);
      expect((await reader.readChat(chat))?.history.map((entry) => entry.eventId)).toEqual([
        'the-event',
        'warm-up',
      ]);
      expect((await reader.claimEffects({ limit: 10, leaseMs: 60_000 })).map((effect) => effect.id)).toEqual([
        'fx',
      ]);
      await reader.close();
    } finally {
      await store.close();
      client.disconnect();
      await proxy.close();
      await deletePrefix(direct, prefix);
    }
  });
});
