// Runs a command with REDIS_URL pointing at a throwaway redis-server on a free loopback port
// (or at the existing REDIS_URL, when set), then stops the server.
// Usage: node scripts/with-redis.mjs <command> [args…]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedisServer } from './ensure-redis.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-redis.mjs <command> [args…]');
  process.exit(2);
}

let server;
let dir;
if (!process.env.REDIS_URL) {
  ensureRedisServer();
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'baton-redis-'));
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  await waitForPing(port);
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
}

const run = spawnSync(command, args, { stdio: 'inherit', env: process.env });
server?.kill('SIGTERM');
if (dir) rmSync(dir, { recursive: true, force: true });
process.exit(run.status ?? 1);

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPing(port) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (ping.stdout?.trim() === 'PONG') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer on port ${port}`);
}
