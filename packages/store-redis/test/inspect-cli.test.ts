import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Clock, createEngine, type RateLimiter, withRateLimit } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { createRedisStore, type RedisStore } from '@baton/store-redis';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const standalone = redisTargets().find((target) => target.name === 'standalone');
const url = inject('redis').standaloneUrl;

/** Runs `baton inspect …` as a user would, in its own process; never throws for a non-zero exit. */
async function baton(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, 'inspect', ...args], {
      cwd: repoRoot,
      env: { ...process.env, BATON_REDIS_URL: '', REDIS_URL: '' },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const portal = 'b24-9d2e4f61';
const stuckChat = 518_004;
const freshChat = 518_005;
const shared: RateLimiter = {
  scope: 'shared',
  acquire: async () => ({ granted: true }),
  penalize: async () => {},
  close: async () => {},
};

describe.skipIf(standalone?.skipReason !== undefined)('baton inspect against a real Redis', () => {
  const prefix = uniquePrefix('inspect');
  let store: RedisStore;
  /** `baton inspect` on this test's Redis and prefix. */
  const inspect = (...args: string[]) => baton('--url', url as string, '--prefix', prefix, ...args);

  beforeAll(async () => {
    store = createRedisStore({ url: url as string, prefix });
    const transport = withRateLimit(createFakeTransport(), shared);
    // One engine whose clock runs 15 minutes behind: its chat has waited that long for an operator.
    const behind: Clock = { now: () => Date.now() - 15 * 60_000 };
    const late = createEngine({ transport, store, clock: behind });
    const now = createEngine({ transport, store });
    const events = (chatId: number) => [
      {
        type: 'message' as const,
        id: `ev-${chatId}-1`,
        portal,
        chatId,
        author: { userId: 700_441, kind: 'client' as const },
        text: 'I need a human',
      },
      {
        type: 'transfer.request' as const,
        id: `ev-${chatId}-2`,
        portal,
        chatId,
        target: { kind: 'user' as const, userId: 104_215 },
        leave: false,
        confirmationTimeoutMs: 3_600_000,
        reason: 'client asked for a human',
      },
    ];
    for (const event of events(stuckChat)) await late.dispatch(event);
    await late.drain();
    for (const event of events(freshChat)) await now.dispatch(event);
    await now.drain();
    await Promise.all([late.stop(), now.stop()]);
  });

  afterAll(async () => {
    const admin = standalone?.connect();
    if (admin) {
      await deletePrefix(admin, prefix);
      await closeClient(admin);
    }
    await store.close();
  });

  it('lists the chat awaiting an operator for more than 10 minutes, and not the fresh one', async () => {
    const result = await inspect('--state', 'awaitingOperator', '--older-than', '10m');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CHAT\s+STATE\s+FOR\s+SINCE\s+VERSION$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${portal}:${stuckChat}\\s+awaitingOperator\\s+15m`));

    const json = await inspect('--state', 'awaitingOperator', '--older-than', '10m', '--json');
    const listed = JSON.parse(json.stdout) as Array<{
      key: { chatId: number };
      state: string;
      ageMs: number;
    }>;
    expect(listed.map((chat) => chat.key.chatId)).toEqual([stuckChat]);
    expect(listed[0]?.ageMs).toBeGreaterThanOrEqual(15 * 60_000);

    const all = JSON.parse((await inspect('--state', 'awaitingOperator', '--json')).stdout) as unknown[];
    expect(all).toHaveLength(2);
  });

  it("prints the stuck chat's state, context and timeline, with each event's type and reason", async () => {
    const result = await inspect('--chat', `${portal}:${stuckChat}`);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(new RegExp(`^Chat ${portal}:${stuckChat}: awaitingOperator for 15m`));
    expect(out).toContain('plan:        1 step(s): user 104215');
    expect(out).toContain('reason:      client asked for a human');
    const timeline = out.slice(out.indexOf('Timeline'), out.indexOf('Pending outbox'));
    const entries = timeline
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/).slice(1, 4));
    expect(entries).toEqual([
      ['v1', 'message', '→'],
      ['v2', 'transfer.request', '→'],
      ['v3', 'effect.result', '→'],
    ]);
    expect(timeline).toMatch(/v1\s+message\s+→ bot/);
    expect(timeline).toMatch(/v2\s+transfer\.request\s+→ transferring\s+client asked for a human/);
    expect(timeline).toMatch(/v3\s+effect\.result\s+→ awaitingOperator\s+transfer:1\.\d+ ok/);
    // The timer runs on the store clock (Redis TIME): an hour from the commit.
    expect(out).toMatch(/Timers:\n {2}confirm:1\.\d+ due .* \(in 59m( \d+s)?\)/);

    const json = JSON.parse((await inspect('--chat', `${portal}:${stuckChat}`, '--json')).stdout) as {
      summary: { state: string };
      history: Array<{ eventType: string; reason?: string }>;
      snapshot: { context: { reason: string } };
    };
    expect(json.summary.state).toBe('awaitingOperator');
    expect(json.snapshot.context.reason).toBe('client asked for a human');
    expect(json.history.map((entry) => entry.eventType)).toEqual([
      'effect.result',
      'transfer.request',
      'message',
    ]);
  });

  it('prints the backlog and the chats per state', async () => {
    const backlog = JSON.parse((await inspect('--backlog', '--json')).stdout);
    expect(backlog).toEqual({ effects: 0, timers: 2, dueTimers: 0 });
    const overview = await inspect();
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/awaitingOperator\s+2\s+15m/);
    expect(overview.stdout).toContain('Timers: 2 set, 0 past due');
  });

  it('checks busy counts against the chats, and changes nothing', async () => {
    // The two waiting hand-overs count against the user they are offered to.
    expect(JSON.parse((await inspect('--busy', '--json')).stdout)).toEqual({ chats: 2, corrected: [] });
    expect((await inspect('--busy', '--portal', portal)).stdout).toContain(
      'Busy counts checked against 2 chats: every count matches its chats.',
    );
    const admin = standalone?.connect();
    if (!admin) throw new Error('no standalone Redis');
    try {
      const busyKey = `${prefix}:{p:${portal}}:busy`;
      await admin.hset(busyKey, '104215', '5');
      const check = await inspect('--busy');
      expect(check.code).toBe(0);
      expect(check.stdout).toMatch(/1 differ[\s\S]*b24-9d2e4f61\s+104215\s+5\s+2/);
      expect(await admin.hget(busyKey, '104215')).toBe('5');
      await store.repairBusyCounts(portal);
      expect(await admin.hget(busyKey, '104215')).toBe('2');
    } finally {
      await closeClient(admin);
    }
    expect((await inspect('--busy', '--state', 'bot')).code).toBe(2);
  });

  it('refuses a bad argument with the usage, and reports an unknown chat', async () => {
    const bad = await baton('--url', url as string, '--older-than', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than: cannot read "soon"');
    expect(bad.stderr).toContain('Usage: baton inspect');
    const unknown = await inspect('--chat', `${portal}:999999`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no chat ${portal}:999999`);
  });
});

const clusterTarget = redisTargets().find((target) => target.name === 'cluster');

describe.skipIf(clusterTarget?.skipReason !== undefined)('baton inspect against a Redis Cluster', () => {
  const prefix = uniquePrefix('inspect-cluster');
  const nodes = inject('redis').clusterNodes;
  let client: ReturnType<NonNullable<typeof clusterTarget>['connect']> | undefined;

  beforeAll(() => {
    client = clusterTarget?.connect();
  });
  afterAll(async () => {
    if (client) {
      await deletePrefix(client, prefix);
      await closeClient(client);
    }
  });

  it('finds a chat stuck in transferring through --cluster', async () => {
    if (!(client instanceof Cluster)) throw new Error('the cluster target gave no Cluster client');
    const store = createRedisStore({ cluster: client, prefix });
    const engine = createEngine({ transport: withRateLimit(createFakeTransport(), shared), store });
    // Nobody runs the outbox: the transfer call waits for ever, the chat stays in `transferring`.
    await engine.dispatch({
      type: 'transfer.request',
      id: 'ev-518101-1',
      portal,
      chatId: 518_101,
      target: { kind: 'queue', queueId: 301_442 },
      leave: false,
      confirmationTimeoutMs: 120_000,
    });
    await engine.stop();
    const result = await baton(
      '--cluster',
      nodes.join(','),
      '--prefix',
      prefix,
      '--state',
      'transferring',
      '--json',
    );
    expect(result.stderr).toBe('');
    const listed = JSON.parse(result.stdout) as Array<{ key: { portal: string; chatId: number } }>;
    expect(listed.map((chat) => chat.key)).toEqual([{ portal, chatId: 518_101 }]);
    const chat = await baton('--cluster', nodes.join(','), '--prefix', prefix, '--chat', `${portal}:518101`);
    expect(chat.stdout).toMatch(/Pending outbox:\n {2}transfer:1\.\d+ \(transfer\), claimed 0 time\(s\)/);
    expect(chat.stdout).toContain('plan:        1 step(s): queue 301442');
  });
});
