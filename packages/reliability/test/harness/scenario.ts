import type { RateLimit } from '@baton/core';
import type { Emulator } from '@baton/testkit';
import { uniquePrefix } from '../../../store-redis/test/helpers/redis.js';
import type { WorkerConfig } from './protocol.js';
import { dispatchTo, Fleet, type WorkerHandle } from './workers.js';
import { addPortal, type ScenarioPortal, startEmulator } from './world.js';

/** An emulator, its portals and a fleet of workers on one Redis: everything a scenario closes. */
export interface Stage {
  readonly emulator: Emulator;
  readonly portals: ScenarioPortal[];
  readonly fleet: Fleet;
  readonly prefix: string;
  /** The settings every worker of the stage shares (name aside). */
  readonly base: Omit<WorkerConfig, 'name'>;
  startWorkers(count: number, overrides?: Partial<WorkerConfig>): Promise<WorkerHandle[]>;
  close(): Promise<void>;
}

export async function openStage(options: {
  redis: WorkerConfig['redis'];
  portals: number;
  limit: RateLimit | false;
  worker?: WorkerConfig['worker'];
  extra?: Partial<Omit<WorkerConfig, 'name'>>;
}): Promise<Stage> {
  const emulator = await startEmulator(options.limit);
  const fleet = new Fleet();
  const portals = Array.from({ length: options.portals }, () => addPortal(emulator));
  const prefix = uniquePrefix('rel');
  const base: Omit<WorkerConfig, 'name'> = {
    redis: options.redis,
    prefix,
    portals,
    limit: options.limit === false ? { ratePerSecond: 1_000, burst: 1_000 } : options.limit,
    worker: { pollIntervalMs: 50, ...options.worker },
    ...options.extra,
  };
  let started = 0;
  return {
    emulator,
    portals,
    fleet,
    prefix,
    base,
    async startWorkers(count, overrides = {}) {
      const batch = Array.from({ length: count }, () => {
        started += 1;
        return fleet.start({ ...base, ...overrides, name: `worker-${started}` });
      });
      return Promise.all(batch);
    },
    async close() {
      await fleet.close();
      await emulator.close();
    },
  };
}

/** Sends events to workers (round-robin unless `pick` says), at most `concurrency` at once. */
export async function sendAll<T>(
  items: readonly T[],
  concurrency: number,
  send: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await send(items[index] as T, index);
      }
    }),
  );
}

/** Dispatches an event to a worker, requiring a 200. */
export async function dispatchOk(worker: WorkerHandle, event: unknown): Promise<unknown> {
  const answer = await dispatchTo(worker.port, event);
  if (answer.status !== 200)
    throw new Error(`dispatch to ${worker.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}
