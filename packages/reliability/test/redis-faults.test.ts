/**
 * Scenario 3: Redis faults under load, on a throwaway `redis-server` of this scenario's own
 * (AOF, `appendfsync always`), so the shared servers are untouched. Inbound deliveries keep
 * arriving over the real handler while transfers drain through the outbox, and:
 * 1. the workers' connections are dropped again and again (`CLIENT KILL TYPE normal`);
 * 2. Redis is killed (kill -9) and restarted from its AOF after a short outage;
 * 3. Redis is killed again for longer than the handler's `acceptRetry` (5 s).
 * Workers recover by themselves; with a `commandTimeout` a command fails instead of hanging; no
 * event is applied twice; every delivery answered 200 is in Redis after recovery; the short blips
 * are carried by `acceptRetry` (no 503), the long outage answers 503 and costs those events.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisStore } from '@baton/store-redis';
import { Redis } from 'ioredis';
import { afterEach, expect, test } from 'vitest';
import { formType, v1MessageForm } from './harness/payloads.js';
import { openStage, type Stage, sendAll } from './harness/scenario.js';
import { dispatchTo, post, type WorkerHandle } from './harness/workers.js';
import {
  addChats,
  countStates,
  openInspector,
  percentile,
  redisFor,
  report,
  type ScenarioPortal,
  transferRequest,
  waitFor,
} from './harness/world.js';

const host = '127.0.0.1';
const commandTimeoutMs = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** A redis-server of this scenario's own, with AOF fsynced on every write. */
class OwnRedis {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'baton-rel-aof-'));
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        host,
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    const probe = new Redis(this.port, host, {
      retryStrategy: () => 20,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    probe.on('error', () => {});
    const up = await waitFor(
      async () => {
        try {
          if (probe.status !== 'ready') await probe.connect().catch(() => {});
          // Ready once the AOF is loaded (LOADING answers an error until then).
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        }
      },
      15_000,
      20,
    );
    probe.disconnect();
    if (!up) throw new Error('own redis-server did not start');
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Delivery {
  readonly id: string;
  readonly chatId: number;
  readonly form: string;
  start?: number;
  status?: number;
  ms?: number;
}

let stage: Stage | undefined;
let inspector: { store: RedisStore; close(): Promise<void> } | undefined;
let own: OwnRedis | undefined;
let admin: Redis | undefined;
afterEach(async () => {
  admin?.disconnect();
  await inspector?.close();
  await stage?.close();
  await own?.close();
  admin = undefined;
  stage = undefined;
  inspector = undefined;
  own = undefined;
});

// Needs redis-server on the machine, as the global setup does.
test.skipIf(redisFor('standalone') === undefined)(
  'Redis killed, restarted from AOF, connections dropped in a loop: workers recover, no 200 lost, nothing applied twice',
  { timeout: 120_000 },
  async () => {
    own = new OwnRedis(await freePort());
    await own.start();
    const url = `redis://${host}:${own.port}`;
    admin = new Redis(own.port, host, { retryStrategy: () => 50, maxRetriesPerRequest: 1 });
    admin.on('error', () => {});
    stage = await openStage({
      redis: { url },
      portals: 1,
      limit: { ratePerSecond: 20, burst: 50 },
      worker: { pollIntervalMs: 50, effectLeaseMs: 1_500 },
      extra: { commandTimeoutMs },
    });
    const { emulator, fleet } = stage;
    const portal = stage.portals[0] as ScenarioPortal;
    const workers = await stage.startWorkers(4);

    // Transfers backlogged behind the portal's rate limit: the outbox works through the faults.
    const transferChats = addChats(emulator, portal, 100);
    await sendAll(transferChats, 16, async (chatId, i) => {
      const answer = await dispatchTo(
        (workers[i % workers.length] as WorkerHandle).port,
        transferRequest(portal, chatId),
      );
      if (answer.status !== 200) throw new Error(`transfer request: ${answer.status}`);
    });

    // Inbound deliveries: three client messages per chat, realistic 7-digit ids.
    const deliveries: Delivery[] = [];
    const firstChat = 3_000_000 + randomInt(1_000_000);
    const firstMessage = 40_000_000 + randomInt(1_000_000);
    const makeDelivery = (n: number): Delivery => {
      const chatId = firstChat + Math.floor(n / 3);
      const messageId = firstMessage + n;
      return {
        id: `bitrix:${portal.memberId}:message:${messageId}`,
        chatId,
        form: v1MessageForm(portal, {
          chatId,
          messageId,
          fromUserId: 900_000 + (chatId % 1000),
          clientUserId: 900_000 + (chatId % 1000),
          lineId: portal.lineId,
        }),
      };
    };
    let stopLoad = false;
    const load = (async () => {
      let n = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (!stopLoad) {
            const d = makeDelivery(n);
            n += 1;
            const started = Date.now();
            d.start = started;
            deliveries.push(d);
            try {
              const answer = await post(
                (workers[randomInt(workers.length)] as WorkerHandle).port,
                '/',
                d.form,
                formType,
                20_000,
              );
              d.status = answer.status;
            } catch {
              d.status = -1;
            }
            d.ms = Date.now() - started;
            await sleep(20);
          }
        }),
      );
    })();

    const loadStarted = Date.now();
    await sleep(1_000);
    // 1. Connections dropped again and again.
    const killLoop = { from: Date.now(), to: 0 };
    let connectionsKilled = 0;
    for (let i = 0; i < 15; i += 1) {
      connectionsKilled += Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal').catch(() => 0));
      await sleep(200);
    }
    killLoop.to = Date.now();
    await sleep(500);
    // 2. kill -9, 1.5 s down, restart from the AOF.
    await own.kill();
    const probeStarted = Date.now();
    // While Redis is down, a dispatch without the handler's retry fails within the command timeout.
    const probe = await dispatchTo((workers[0] as WorkerHandle).port, {
      type: 'message',
      id: `probe-${firstChat}`,
      portal: portal.memberId,
      chatId: firstChat - 1,
      author: { userId: 5, kind: 'client' },
      text: 'probe',
    });
    const probeMs = Date.now() - probeStarted;
    await sleep(Math.max(0, 1_500 - probeMs));
    let restartStarted = Date.now();
    await own.start();
    const shortOutage = { from: probeStarted, to: Date.now() };
    const restartMs = [Date.now() - restartStarted];
    await sleep(2_000);
    // 3. kill -9 for longer than acceptRetry (5 s).
    await own.kill();
    const longStarted = Date.now();
    await sleep(7_000);
    restartStarted = Date.now();
    await own.start();
    const longOutage = { from: longStarted, to: Date.now() };
    restartMs.push(Date.now() - restartStarted);
    await sleep(2_000);
    stopLoad = true;
    await load;
    const loadEndedAfterMs = Date.now() - loadStarted;

    inspector = openInspector({ url }, stage.prefix);
    const { store } = inspector;
    // Recovery: the outbox drains, nothing left transferring, every worker still running.
    const settleStarted = Date.now();
    const settled = await waitFor(
      async () => {
        const backlog = await store.backlog();
        const transferring = await store.listChats({ state: 'transferring', portal: portal.memberId });
        return backlog.effects === 0 && backlog.dueTimers === 0 && transferring.length === 0;
      },
      40_000,
      250,
    );
    const settledMs = Date.now() - settleStarted;

    const answeredOk = deliveries.filter((d) => d.status === 200);
    const byChat = new Map<number, Delivery[]>();
    for (const d of deliveries) byChat.set(d.chatId, [...(byChat.get(d.chatId) ?? []), d]);
    let lost200 = 0;
    let appliedTwice = 0;
    let versionMismatch = 0;
    let committedThough503 = 0;
    await sendAll([...byChat.entries()], 16, async ([chatId, mine]) => {
      const details = await store.readChat({ portal: portal.memberId, chatId });
      const ids = (details?.history ?? []).map((h) => h.eventId);
      if (new Set(ids).size !== ids.length) appliedTwice += 1;
      if (details && details.version !== ids.length) versionMismatch += 1;
      for (const d of mine) {
        if (d.status === 200 && !ids.includes(d.id)) lost200 += 1;
        if (d.status !== 200 && ids.includes(d.id)) committedThough503 += 1;
      }
    });
    // Each delivery by the fault its wait overlapped (the worst one).
    const overlaps = (d: Delivery, w: { from: number; to: number }) =>
      (d.start as number) <= w.to && (d.start as number) + (d.ms as number) >= w.from;
    const phaseOf = (d: Delivery) =>
      overlaps(d, longOutage)
        ? 'long-outage'
        : overlaps(d, shortOutage)
          ? 'short-outage'
          : overlaps(d, killLoop)
            ? 'client-kill-loop'
            : 'no-fault';
    const phases: Record<string, Record<string, number>> = {};
    for (const d of deliveries) {
      const p = phases[phaseOf(d)] ?? {};
      phases[phaseOf(d)] = p;
      p[String(d.status)] = (p[String(d.status)] ?? 0) + 1;
    }
    const latencies = deliveries.map((d) => d.ms as number);
    const platform = emulator.portal(portal.memberId);
    const transfersPerChat = transferChats.map((id) => platform?.chat(id).transfers.length ?? 0);
    const stats = await Promise.all(
      fleet.alive().map(async (w) => (await post(w.port, '/_stats', '{}', 'application/json')).body),
    );
    const inOperator = (await countStates(store, portal.memberId, transferChats)).get('operator') ?? 0;
    // Any chat off the expected path, with what the store and the platform saw of it.
    const oddChats = await Promise.all(
      transferChats
        .filter((_, i) => transfersPerChat[i] !== 1)
        .map(async (chatId) => {
          const details = await store.readChat({ portal: portal.memberId, chatId });
          return {
            chatId,
            transfers: platform?.chat(chatId).transfers.length ?? 0,
            snapshot: details?.snapshot,
            history: details?.history.map((h) => `${h.version}:${h.eventId}:${h.state}`),
            effects: details?.effects,
          };
        }),
    );
    report('redis faults', {
      deliveries: deliveries.length,
      answered200: answeredOk.length,
      answered503: deliveries.filter((d) => d.status === 503).length,
      otherAnswers: deliveries.filter((d) => d.status !== 200 && d.status !== 503).length,
      byPhase: phases,
      every200InRedis: lost200 === 0,
      lost200,
      committedThough503,
      appliedTwice,
      versionMismatch,
      inboundLatencyMs: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: Math.max(...latencies),
      },
      connectionsKilled,
      outagesMs: {
        short: shortOutage.to - shortOutage.from,
        long: longOutage.to - longOutage.from,
        restartMs,
      },
      settledAfterMs: settledMs,
      loadEndedAfterMs,
      dispatchWhileDown: { status: probe.status, ms: probeMs },
      transfers: { chats: transferChats.length, maxPerChat: Math.max(...transfersPerChat), inOperator },
      oddChats,
      workersAlive: fleet.alive().length,
      engineErrors: (stats as { engineErrors: number }[]).map((s) => s.engineErrors),
      settled,
    });
    expect(settled).toBe(true);
    expect(fleet.alive().length).toBe(workers.length);
    // Nothing acknowledged is lost, nothing applied twice.
    expect(lost200).toBe(0);
    expect(appliedTwice).toBe(0);
    expect(versionMismatch).toBe(0);
    // Short blips (connections dropped, a 1.5 s restart) are carried by acceptRetry.
    for (const p of ['no-fault', 'client-kill-loop', 'short-outage'])
      expect(Object.keys(phases[p] ?? {}), p).toEqual(['200']);
    expect(phases['short-outage']?.['200'] ?? 0).toBeGreaterThan(0);
    // A longer outage answers 503 within acceptRetry + a command timeout, never hangs.
    expect(phases['long-outage']?.['503'] ?? 0).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(5_000 + commandTimeoutMs + 2_000);
    expect(probe.status).toBe(503);
    expect(probeMs).toBeLessThan(commandTimeoutMs * 3);
    // The outbox came through: one transfer per chat, every chat with its operator.
    expect(transfersPerChat.every((n) => n === 1)).toBe(true);
    expect(inOperator).toBe(transferChats.length);
  },
);
