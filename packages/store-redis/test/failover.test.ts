import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFor, effectFor } from '@baton/core/testing';
import { createRedisStore, recommendedClientOptions } from '@baton/store-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const host = '127.0.0.1';
const hasRedisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;

/** A loopback TCP proxy whose upstream port can be switched, as a DNS name or VIP follows a failover. */
async function startSwitchableProxy(initialPort: number) {
  let upstreamPort = initialPort;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connectTcp(upstreamPort, host);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    switchTo(port: number) {
      upstreamPort = port;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// A primary and its replica of our own (the shared test servers must not be demoted), with the
// store's client behind a proxy that follows the failover.
describe.skipIf(!hasRedisServer)('a primary demoted by a failover (READONLY)', () => {
  const processes: ChildProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-failover-'));
  let ports: [number, number];
  let admin: [Redis, Redis];

  beforeAll(async () => {
    ports = [await freePort(), await freePort()];
    for (const [index, port] of ports.entries()) {
      const dir = join(dataDir, String(port));
      spawnSync('mkdir', ['-p', dir]);
      const replicaOf = index === 1 ? ['--replicaof', host, String(ports[0])] : [];
      const args = ['--port', String(port), '--bind', host, '--dir', dir, '--save', '', '--appendonly', 'no'];
      processes.push(spawn('redis-server', [...args, ...replicaOf], { stdio: 'ignore' }));
    }
    admin = [
      new Redis(ports[0], host, { retryStrategy: () => 20 }),
      new Redis(ports[1], host, { retryStrategy: () => 20 }),
    ];
    for (const client of admin) client.on('error', () => {});
    await until(async () => (await admin[1].info('replication')).includes('master_link_status:up'));
  });

  afterAll(async () => {
    await Promise.all(admin.map((client) => client.quit().catch(() => client.disconnect())));
    for (const child of processes) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reconnects on READONLY and resends the commit to the new primary, which applies it once', async () => {
    const proxy = await startSwitchableProxy(ports[0]);
    const readOnlyErrors: string[] = [];
    const client = new Redis(proxy.port, host, {
      ...recommendedClientOptions,
      retryStrategy: () => 20,
      reconnectOnError: (error) => {
        if (error.message.startsWith('READONLY')) readOnlyErrors.push(error.message);
        return recommendedClientOptions.reconnectOnError(error);
      },
    });
    client.on('error', () => {});
    const store = createRedisStore({ redis: client, prefix: 'failover' });
    const chat = { portal: 'p', chatId: 1 };
    try {
      expect(await store.commit(commitFor(chat, 0, 'e1'))).toEqual({ status: 'committed', version: 1 });
      await until(async () => (await admin[1].hget('failover:{p:p}:c:1:chat', 'version')) === '1');

      // The failover: the replica takes over, the old primary follows it, the address moves.
      await admin[1].replicaof('NO', 'ONE');
      await admin[0].replicaof(host, String(ports[1]));
      proxy.switchTo(ports[1]);

      const result = await store.commit(commitFor(chat, 1, 'e2', { effects: [effectFor(chat, 'fx')] }));
      expect(result).toEqual({ status: 'committed', version: 2 });
      expect(readOnlyErrors.length).toBeGreaterThanOrEqual(1);
      expect((await store.readChat(chat))?.history.map((entry) => entry.eventId)).toEqual(['e2', 'e1']);
      expect((await store.claimEffects({ limit: 10, leaseMs: 1_000 })).map((effect) => effect.id)).toEqual([
        'fx',
      ]);
      expect(await admin[1].hget('failover:{p:p}:c:1:chat', 'version')).toBe('2');
    } finally {
      await store.close();
      client.disconnect();
      await proxy.close();
    }
  });
});
