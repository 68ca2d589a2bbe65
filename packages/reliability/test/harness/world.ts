import { randomBytes } from 'node:crypto';
import type { RateLimit } from '@baton/core';
import { createRedisStore, type RedisStore } from '@baton/store-redis';
import { createEmulator, type Emulator, type RequestRecord } from '@baton/testkit';
import { Cluster } from 'ioredis';
import { inject } from 'vitest';
import type { PortalAccess, WorkerConfig } from './protocol.js';

/** One emulated portal with a bot, an operator and a line, as a scenario uses it. */
export interface ScenarioPortal extends PortalAccess {
  readonly operatorId: number;
  readonly lineId: number;
}

/** A realistic `member_id`: 32 hex digits. */
export const memberId = () => randomBytes(16).toString('hex');

export async function startEmulator(limit: RateLimit | false): Promise<Emulator> {
  return createEmulator({ rateLimit: limit });
}

export function addPortal(emulator: Emulator): ScenarioPortal {
  const id = memberId();
  const portal = emulator.createPortal({ memberId: id, applicationToken: randomBytes(16).toString('hex') });
  const webhook = portal.createWebhook();
  const clientId = `baton-${randomBytes(6).toString('hex')}`;
  const bot = portal.registerBot({ clientId });
  const operator = portal.createOperator({ name: 'Operator' });
  const line = portal.createLine({ queue: [operator.userId] });
  return {
    memberId: id,
    webhookUrl: webhook.baseUrl,
    botId: bot.botId,
    botClientId: bot.clientId,
    applicationToken: portal.applicationToken,
    operatorId: operator.userId,
    lineId: line.lineId,
  };
}

/** Creates `count` client chats on a portal (the emulator numbers them). */
export function addChats(emulator: Emulator, portal: ScenarioPortal, count: number): number[] {
  const handle = emulator.portal(portal.memberId);
  if (!handle) throw new Error(`no portal ${portal.memberId}`);
  return Array.from(
    { length: count },
    () => handle.createClientChat({ lineId: portal.lineId, botId: portal.botId, announceJoin: false }).chatId,
  );
}

/** The Redis a scenario runs on, as the global setup started it. */
export function redisFor(target: 'standalone' | 'cluster'): WorkerConfig['redis'] | undefined {
  const servers = inject('redis');
  if (target === 'standalone')
    return servers.standaloneUrl === undefined ? undefined : { url: servers.standaloneUrl };
  return servers.clusterNodes.length === 0 ? undefined : { cluster: servers.clusterNodes };
}

/** A transfer request as the bot application dispatches it. */
export function transferRequest(
  portal: ScenarioPortal,
  chatId: number,
  options: { id?: string; leave?: boolean; confirmationTimeoutMs?: number } = {},
) {
  return {
    type: 'transfer.request',
    id: options.id ?? `handover-${portal.memberId.slice(0, 8)}-${chatId}`,
    portal: portal.memberId,
    chatId,
    plan: [
      {
        target: { kind: 'user', userId: portal.operatorId },
        leave: options.leave ?? true,
        confirmationTimeoutMs: options.confirmationTimeoutMs ?? 120_000,
      },
    ],
  };
}

/** What the emulator's own log says about one portal's request rate. */
export interface RateFigures {
  readonly requests: number;
  readonly refusals: number;
  /** The highest level the platform's leaky bucket reached, replaying the arrivals. */
  readonly maxBucketLevel: number;
  /** The most requests in any 1 s window. */
  readonly maxPerSecond: number;
  /**
   * Drain efficiency while backlogged: after the initial burst the limiter may grant
   * (`grantedBurst`), the requests served per second over the portal's drain rate.
   */
  readonly efficiency: number;
  /** The same from the very first request, counting the platform's whole burst as available (pays the headroom). */
  readonly overallEfficiency: number;
}

export function rateFigures(
  log: readonly RequestRecord[],
  portal: string,
  limit: RateLimit,
  grantedBurst = limit.burst,
): RateFigures {
  const mine = log.filter((r) => r.portal === portal).sort((a, b) => a.at - b.at);
  const served = mine.filter((r) => r.error !== 'QUERY_LIMIT_EXCEEDED');
  let level = 0;
  let last = Number.NEGATIVE_INFINITY;
  let maxBucketLevel = 0;
  for (const r of served) {
    level = Math.max(0, level - ((r.at - last) / 1_000) * limit.ratePerSecond) + 1;
    last = r.at;
    maxBucketLevel = Math.max(maxBucketLevel, level);
  }
  let maxPerSecond = 0;
  for (let i = 0, j = 0; i < served.length; i += 1) {
    while ((served[i] as RequestRecord).at - (served[j] as RequestRecord).at >= 1_000) j += 1;
    maxPerSecond = Math.max(maxPerSecond, i - j + 1);
  }
  const spanFrom = (index: number) =>
    served.length > index + 1
      ? ((served.at(-1) as RequestRecord).at - (served[index] as RequestRecord).at) / 1_000
      : 0;
  const span = spanFrom(0);
  const ideal = Math.max(0, served.length - limit.burst) / limit.ratePerSecond;
  const steadyStart = Math.min(served.length - 1, Math.max(0, grantedBurst - 1));
  const steadySpan = spanFrom(steadyStart);
  const steady = (served.length - 1 - steadyStart) / limit.ratePerSecond;
  return {
    requests: mine.length,
    refusals: mine.length - served.length,
    maxBucketLevel: Math.round(maxBucketLevel * 100) / 100,
    maxPerSecond,
    efficiency: steadySpan > 0 ? Math.round((steady / steadySpan) * 1_000) / 1_000 : 1,
    overallEfficiency: span > 0 ? Math.round((ideal / span) * 1_000) / 1_000 : 1,
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Polls `check` until it answers true or the bound passes; returns whether it did. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** One line of figures, greppable in CI logs. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  console.log(`[reliability] ${scenario}: ${JSON.stringify(figures)}`);
}

/** A store on a scenario's Redis for reading chats and the backlog; `close` ends its client too. */
export function openInspector(
  redis: WorkerConfig['redis'],
  prefix: string,
): { store: RedisStore; close(): Promise<void> } {
  if ('url' in redis) {
    const store = createRedisStore({ url: redis.url, prefix });
    return { store, close: () => store.close() };
  }
  const cluster = new Cluster(
    redis.cluster.map((node) => {
      const [host, port] = node.split(':');
      return { host: host as string, port: Number(port) };
    }),
    { scaleReads: 'master' },
  );
  const store = createRedisStore({ cluster, prefix });
  return {
    store,
    async close() {
      await store.close();
      cluster.disconnect();
    },
  };
}

/**
 * How many of `chatIds` are in each state, by each chat's own record (not the state indexes, which
 * are a listing hint moved after the commit and may miss a chat whose worker died in between).
 */
export async function countStates(
  store: {
    readChat(key: { portal: string; chatId: number }): Promise<{ summary: { state: string } } | undefined>;
  },
  portal: string,
  chatIds: readonly number[],
): Promise<Map<string, number>> {
  const states = new Map<string, number>();
  for (const chatId of chatIds) {
    const state = (await store.readChat({ portal, chatId }))?.summary.state ?? 'missing';
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  return states;
}
