// Makes sure a `redis-server` binary is available for the Redis tests, installing Debian's
// package when it is missing and this machine allows it (root with apt-get). With REDIS_URL set
// the tests use that server instead and nothing is installed.
import { execFileSync, spawnSync } from 'node:child_process';

export function ensureRedisServer({ quiet = false } = {}) {
  if (process.env.REDIS_URL) return { mode: 'external' };
  if (has('redis-server') && has('redis-cli')) return { mode: 'local' };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    throw new Error(
      'redis-server is not installed and cannot be installed here. Install Redis >= 6.2 ' +
        '(e.g. `sudo apt-get install -y redis-server`) or set REDIS_URL to an existing server.',
    );
  }
  if (!quiet) console.log('redis-server not found: installing Debian package redis-server …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
    stdio: 'inherit',
    env,
  });
  // The package starts a system service; the tests start their own throwaway servers.
  spawnSync('service', ['redis-server', 'stop'], { stdio: 'ignore' });
  return { mode: 'local' };
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureRedisServer();
}
