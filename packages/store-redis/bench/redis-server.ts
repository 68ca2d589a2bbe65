// A Redis server for a benchmark: REDIS_URL when set, else a throwaway redis-server on a free
// loopback port, without persistence.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Starts the server (unless REDIS_URL names one); kill `server` when done. */
export async function startRedis(): Promise<{ url: string; server?: ChildProcess }> {
  if (process.env.REDIS_URL !== undefined) return { url: process.env.REDIS_URL };
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  // The offline queue holds the PING until the server accepts connections.
  const probe = new Redis(port, '127.0.0.1', { retryStrategy: () => 20 });
  probe.on('error', () => {});
  try {
    await probe.ping();
  } catch (error) {
    server.kill();
    throw error;
  } finally {
    probe.disconnect();
  }
  return { url: `redis://127.0.0.1:${port}`, server };
}
