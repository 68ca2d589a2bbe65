import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';

/** A Redis deployment the tests can run against. */
export interface RedisTarget {
  readonly name: 'standalone' | 'cluster';
  /** Why the target is missing; `undefined` when it is there. */
  readonly skipReason: string | undefined;
  /** Opens a new client; the caller closes it. */
  connect(): Redis | Cluster;
}

/** The standalone server and the 3-primary Cluster, as the global setup started them. */
export function redisTargets(): RedisTarget[] {
  const servers = inject('redis');
  const standaloneUrl = servers.standaloneUrl;
  const nodes = servers.clusterNodes;
  return [
    {
      name: 'standalone',
      skipReason:
        standaloneUrl === undefined
          ? `no standalone Redis (${servers.unavailableReason ?? 'unknown reason'})`
          : undefined,
      connect: () => new Redis(standaloneUrl as string, { maxRetriesPerRequest: 3 }),
    },
    {
      name: 'cluster',
      skipReason:
        nodes.length === 0
          ? `no Redis Cluster was started (${servers.unavailableReason ?? 'redis-server missing'})`
          : undefined,
      connect: () =>
        new Cluster(
          nodes.map((node) => {
            const [host, port] = node.split(':');
            return { host: host as string, port: Number(port) };
          }),
          { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 3 } },
        ),
    },
  ];
}

/** A prefix no other test uses, so that tests never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under `prefix` (on every primary of a Cluster). */
export async function deletePrefix(client: Redis | Cluster, prefix: string): Promise<void> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  await Promise.all(
    nodes.map(async (node) => {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        // One DEL per key: keys of different slots cannot share a command on a Cluster.
        await Promise.all(found.map((key) => node.del(key)));
      } while (cursor !== '0');
    }),
  );
}

/** Closes a client, whatever state it is in. */
export async function closeClient(client: Redis | Cluster): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
