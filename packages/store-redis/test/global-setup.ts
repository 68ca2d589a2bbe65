// Starts throwaway Redis servers for the Redis tests: one standalone server and a 3-primary
// Cluster, on free loopback ports, with data in a temp folder that is removed afterwards.
// With REDIS_URL set the standalone tests use that server instead; the Cluster is started only
// when `redis-server` is available. Tests read the addresses with `inject('redis')`.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const host = '127.0.0.1';

/** What the tests learn about the servers. */
export interface RedisTestServers {
  /** A standalone server's URL, or `undefined` when none could be started. */
  readonly standaloneUrl: string | undefined;
  /** The Cluster's primaries as `host:port`, or empty when no Cluster was started. */
  readonly clusterNodes: readonly string[];
  /** Why a server is missing, for a clear skip message. */
  readonly unavailableReason: string | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    redis: RedisTestServers;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const processes: ChildProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-redis-'));
  const stopAll = () => {
    for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stopAll);

  const hasServer = commandExists('redis-server') && commandExists('redis-cli');
  const external = process.env.REDIS_URL;
  let unavailableReason: string | undefined;
  if (!hasServer) {
    unavailableReason = 'redis-server/redis-cli not found: run `pnpm test` (installs Redis) or set REDIS_URL';
  }

  // Ports are chosen before anything starts, all distinct and clear of the Cluster bus ports, so
  // that the standalone server and the Cluster nodes can never pick one another's port.
  const clusterPorts = hasServer ? await freePorts(3, true) : [];
  const reserved = clusterPorts.flatMap((port) => [port, port + 10_000]);
  const standalonePort =
    hasServer && external === undefined ? (await freePorts(1, false, reserved))[0] : undefined;
  const [standaloneUrl, clusterNodes] = await Promise.all([
    external !== undefined
      ? Promise.resolve(external)
      : standalonePort !== undefined
        ? startStandalone(standalonePort, dataDir, processes)
        : Promise.resolve(undefined),
    hasServer ? startCluster(clusterPorts, dataDir, processes) : Promise.resolve([]),
  ]);
  project.provide('redis', { standaloneUrl, clusterNodes, unavailableReason });

  return async () => {
    stopAll();
    process.off('exit', stopAll);
    await Promise.all(processes.map(waitForExit));
    rmSync(dataDir, { recursive: true, force: true });
  };
}

async function startStandalone(port: number, dataDir: string, processes: ChildProcess[]): Promise<string> {
  const dir = join(dataDir, `standalone-${port}`);
  const server = startServer(port, dir, []);
  processes.push(server);
  await waitForPing(port, server);
  return `redis://${host}:${port}`;
}

async function startCluster(ports: number[], dataDir: string, processes: ChildProcess[]): Promise<string[]> {
  const servers = ports.map((port) => {
    const dir = join(dataDir, `cluster-${port}`);
    const server = startServer(port, dir, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--cluster-node-timeout',
      '2000',
    ]);
    processes.push(server);
    return server;
  });
  await Promise.all(ports.map((port, index) => waitForPing(port, servers[index] as ChildProcess)));
  const nodes = ports.map((port) => `${host}:${port}`);
  await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
  await Promise.all(ports.map(waitForClusterOk));
  return nodes;
}

function startServer(port: number, dir: string, extra: string[]): ChildProcess {
  spawnSync('mkdir', ['-p', dir]);
  const args = [
    '--port',
    String(port),
    '--bind',
    host,
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--maxmemory-policy',
    'noeviction',
    ...extra,
  ];
  return spawn('redis-server', args, { stdio: 'ignore' });
}

/**
 * Finds free ports, none of them in `exclude`; for Cluster nodes the bus port (port + 10000) must
 * be free too, and no node's port may be another's bus port.
 */
async function freePorts(
  count: number,
  withBus: boolean,
  exclude: readonly number[] = [],
): Promise<number[]> {
  const found: number[] = [];
  while (found.length < count) {
    const port = await probe(0);
    if (port > 55_000 && withBus) continue;
    if (found.includes(port) || exclude.includes(port)) continue;
    if (withBus && found.some((taken) => taken + 10_000 === port || port + 10_000 === taken)) continue;
    if (withBus && !(await isFree(port + 10_000))) continue;
    found.push(port);
  }
  return found;
}

function probe(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(chosen));
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  try {
    await probe(port);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the server to answer; fails at once, saying so, if it exited instead. */
async function waitForPing(port: number, server: ChildProcess): Promise<void> {
  await retry(async () => {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new ServerExited(`redis-server on port ${port} exited (${server.exitCode ?? server.signalCode})`);
    }
    const { stdout } = await run('redis-cli', ['-h', host, '-p', String(port), 'ping']);
    if (!stdout.includes('PONG')) throw new Error(`redis on ${port} not ready`);
  });
}

async function waitForClusterOk(port: number): Promise<void> {
  await retry(async () => {
    const { stdout } = await run('redis-cli', ['-h', host, '-p', String(port), 'cluster', 'info']);
    if (!stdout.includes('cluster_state:ok')) throw new Error(`cluster on ${port} not ready`);
  });
}

async function retry(attempt: () => Promise<void>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (error instanceof ServerExited || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** A server that died while we waited for it: waiting longer cannot help. */
class ServerExited extends Error {}
