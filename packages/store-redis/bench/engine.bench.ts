/**
 * The engine on Redis, measured from outside against the performance goals (docs/benchmarks.md):
 * round trips per client message and per LEAVE=N hand-over (with where they go), throughput
 * against the ceiling (bare `transition()` plus one CAS script of the same snapshot) and the peers
 * a user would write (a per-chat lock; WATCH/MULTI), with 1 and 2 worker processes; bytes per
 * chat; timer firing and lateness; an idle worker's commands; Redis CPU per event; a CPU profile.
 * It asserts nothing: a missed goal is a figure, only a crash fails it.
 * Run: `pnpm bench` (every benchmark, writes docs/benchmarks.md). `BENCH_SCALE=0.02` for a smoke.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type BatonEventInput,
  type ChatKey,
  createEngine,
  createLifecycleMachine,
  type Engine,
  type EngineOptions,
  withRateLimit,
} from '@baton/core';
import { createFakeTransport, type FakeTransport } from '@baton/core/testing';
import { Redis } from 'ioredis';
import {
  createRedisRateLimiter,
  createRedisStore,
  type RedisStore,
  recommendedClientOptions,
} from '../src/index.js';
import {
  bytesMatching,
  type Figure,
  format,
  median,
  type ProfileLine,
  percentile,
  pool,
  profile,
  scale,
  scaled,
  serverCounters,
  sleep,
  total,
  until,
  watchRoundTrips,
  writeResults,
} from './bench-support.js';
import { startRedis } from './redis-server.js';

// XState as the machine's package resolves it (the same module instance), for the ceilings.
const xstate = createRequire(new URL('../../core/package.json', import.meta.url))('xstate') as {
  initialTransition(machine: Machine, input: ChatKey): [Snapshot, unknown[]];
  transition(machine: Machine, snapshot: Snapshot, event: unknown): [Snapshot, unknown[]];
};
type Machine = ReturnType<typeof createLifecycleMachine>;
type Snapshot = ReturnType<Machine['resolveState']>;

const portal = 'b24-bench.bitrix24.com';
const operatorId = 481_516;
const concurrency = 32;
let eventSeq = 0;
const nextId = () => `bench-${process.pid}-${++eventSeq}`;
const ev = (key: ChatKey) => ({ id: nextId(), portal: key.portal, chatId: key.chatId });
const clientSays = (key: ChatKey, text = 'Good afternoon, where is my order #448812?'): BatonEventInput => ({
  ...ev(key),
  type: 'message',
  author: { userId: 700_123, kind: 'client' },
  text,
});
const handOver = (key: ChatKey): BatonEventInput => ({
  ...ev(key),
  type: 'transfer.request',
  target: { kind: 'user', userId: operatorId },
  leave: false,
  confirmationTimeoutMs: 120_000,
});
const operatorSays = (key: ChatKey): BatonEventInput => ({
  ...ev(key),
  type: 'message',
  author: { userId: operatorId, kind: 'operator' },
  text: 'Hello, this is Anna from support, let me check order #448812',
});
const chatKeys = (first: number, count: number): ChatKey[] =>
  Array.from({ length: count }, (_, index) => ({ portal, chatId: first + index }));
const at = <T>(list: readonly T[], index: number): T => list[index % list.length] as T;

const { url, server } = await startRedis();
// The throwaway server goes with this process, even when a step crashes.
process.on('exit', () => server?.kill());
const benchStarted = Date.now();
const progress = (step: string) =>
  console.log(`[${((Date.now() - benchStarted) / 1000).toFixed(1)} s] ${step}`);
const admin = new Redis(url);
const figures: Figure[] = [];
const runTag = Date.now().toString(36);
const machineInfo = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  redis: /redis_version:([\d.]+)/.exec(await admin.info('server'))?.[1] ?? 'unknown',
};

interface Worker {
  readonly engine: Engine;
  readonly store: RedisStore;
  readonly transport: FakeTransport;
  close(): Promise<void>;
}

/**
 * A worker as an application would build it: its own client, the Redis store under `prefix`, and
 * the testing fake transport (answers at once) behind a shared Redis rate limiter that never
 * refuses (a shared store requires a shared limiter; its round trips count too). The limiter's
 * keys live under a prefix of their own, so that they are not counted as a chat's bytes.
 */
function worker(
  prefix: string,
  options: Partial<EngineOptions> = {},
  storeOptions: { historyLength?: number } = {},
): Worker {
  // The client settings the store recommends (auto-pipelining among them); the peers below get the same.
  const client = new Redis(url, recommendedClientOptions);
  const store = createRedisStore({ redis: client, prefix, ...storeOptions });
  const transport = createFakeTransport();
  const limiter = createRedisRateLimiter({
    redis: client,
    prefix: `limits-${runTag}`,
    limit: { ratePerSecond: 1_000_000, burst: 1_000_000 },
  });
  const engine = createEngine({ transport: withRateLimit(transport, limiter), store, ...options });
  return {
    engine,
    store,
    transport,
    async close() {
      await engine.stop();
      await store.close();
      await limiter.close();
      client.disconnect();
    },
  };
}

const prefixFor = (name: string) => `bench-${name}-${runTag}`;

progress('the mix, round trips counted with MONITOR');
// 1. The mix on one started worker, its round trips counted with MONITOR.
let handOverBreakdown: [string, number][] = [];
let messageBreakdown: [string, number][] = [];
{
  const chats = scaled(200, 4);
  const watch = await watchRoundTrips(url);
  const w = worker(prefixFor('mix'));
  const keys = chatKeys(1_000_000, chats);
  let botLeft = 0;
  w.engine.on('bot.left', () => {
    botLeft += 1;
  });
  w.engine.start();
  // A first message creates each chat (a new worker knows no chat, so that one also reads it).
  await pool(chats, concurrency, (i) => w.engine.dispatch(clientSays(at(keys, i))));
  await watch.phase();
  await pool(chats, concurrency, async (i) => {
    for (let m = 0; m < 15; m += 1) await w.engine.dispatch(clientSays(at(keys, i)));
  });
  const messages = await watch.phase();
  await pool(chats, concurrency, (i) => w.engine.dispatch(handOver(at(keys, i))));
  await until(() => w.transport.callsOf('transfer').length >= chats, 'transfers');
  await pool(chats, concurrency, (i) => w.engine.dispatch(operatorSays(at(keys, i))));
  await until(() => botLeft >= chats, 'bot removals');
  // The removal's result is committed before `bot.left`; let the completions land.
  await sleep(300);
  const handOvers = await watch.phase();
  await pool(chats, concurrency, async (i) => {
    await w.engine.dispatch({ ...ev(at(keys, i)), type: 'session.finished' });
    await w.engine.dispatch(clientSays(at(keys, i), 'Hello again, one more question about #448812'));
  });
  const sessionTurns = await watch.phase();
  await w.close();
  watch.close();
  const perChat = (counts: ReadonlyMap<string, number>): [string, number][] =>
    [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name, count]) => [name, count / chats]);
  handOverBreakdown = perChat(handOvers);
  messageBreakdown = perChat(messages);
  figures.push(
    {
      id: 'rtPerMessage',
      label: 'Redis round trips per client message (common path)',
      value: total(messages) / (chats * 15),
      unit: 'round trips',
      goal: { better: 'lower', limit: 1.1 },
    },
    {
      id: 'rtPerHandOver',
      label: 'Redis round trips per LEAVE=N hand-over (request → operator answers → bot removed)',
      value: total(handOvers) / chats,
      unit: 'round trips',
      goal: { better: 'lower', limit: 15 },
    },
    {
      id: 'rtPerSessionTurn',
      label: 'Redis round trips for session.finished + the next session’s first message',
      value: total(sessionTurns) / chats,
      unit: 'round trips',
    },
  );
}

progress('bytes per chat');
// 2. Bytes per chat, from MEMORY USAGE of every key under the prefix (SCAN: no key layout known),
// with the store's defaults and with the history off (`historyLength: 0`).
let bytesBreakdown: [string, number, number, number][] = [];
{
  const chats = scaled(500, 4);
  const measureBytes = async (name: string, storeOptions: { historyLength?: number }) => {
    const perChat = async (prefix: string) => {
      const { bytes, byKind } = await bytesMatching(admin, prefix);
      return {
        bytes: bytes / chats,
        byKind: new Map([...byKind].map(([kind, used]) => [kind, used / chats])),
      };
    };
    const botPrefix = prefixFor(`bytes-bot-${name}`);
    const w = worker(botPrefix, {}, storeOptions);
    const keys = chatKeys(name === 'default' ? 2_000_000 : 2_500_000, chats);
    await pool(chats, concurrency, (i) => w.engine.dispatch(clientSays(at(keys, i))));
    const afterOne = await perChat(botPrefix);
    await pool(chats, concurrency, async (i) => {
      for (let m = 0; m < 10; m += 1) await w.engine.dispatch(clientSays(at(keys, i)));
    });
    const afterEleven = await perChat(botPrefix);
    await w.close();

    const awaitingPrefix = prefixFor(`bytes-awaiting-${name}`);
    const a = worker(awaitingPrefix, {}, storeOptions);
    const awaiting = chatKeys(name === 'default' ? 3_000_000 : 3_500_000, chats);
    a.engine.start();
    await pool(chats, concurrency, async (i) => {
      await a.engine.dispatch(clientSays(at(awaiting, i)));
      await a.engine.dispatch(handOver(at(awaiting, i)));
    });
    await until(() => a.transport.callsOf('transfer').length >= chats, 'transfers');
    // Let the transfers' results commit, then say which states were measured.
    await sleep(300);
    const states = new Map<string, number>();
    for (const key of awaiting) {
      const state = (await a.store.load(key))?.summary.state ?? 'none';
      states.set(state, (states.get(state) ?? 0) + 1);
    }
    await a.close();
    return { afterOne, afterEleven, awaiting: await perChat(awaitingPrefix), states };
  };
  const byDefault = await measureBytes('default', {});
  const lean = await measureBytes('lean', { historyLength: 0 });
  const kinds = new Set([
    ...byDefault.afterOne.byKind.keys(),
    ...byDefault.afterEleven.byKind.keys(),
    ...byDefault.awaiting.byKind.keys(),
  ]);
  bytesBreakdown = [...kinds]
    .map((kind): [string, number, number, number] => [
      kind,
      byDefault.afterOne.byKind.get(kind) ?? 0,
      byDefault.afterEleven.byKind.get(kind) ?? 0,
      byDefault.awaiting.byKind.get(kind) ?? 0,
    ])
    .filter(([, one, eleven, waiting]) => one + eleven + waiting >= 1)
    .sort((x, y) => y[3] + y[2] - (x[3] + x[2]));
  figures.push(
    {
      id: 'bytesBot1',
      label: 'Redis memory per idle chat in bot after 1 message',
      value: byDefault.afterOne.bytes,
      unit: 'B',
      goal: { better: 'lower', limit: 600 },
    },
    {
      id: 'bytesBot11',
      label: 'Redis memory per idle chat in bot after 11 messages',
      value: byDefault.afterEleven.bytes,
      unit: 'B',
      goal: { better: 'lower', limit: 600 },
    },
    {
      id: 'bytesAwaiting',
      label: 'Redis memory per chat awaiting an operator',
      value: byDefault.awaiting.bytes,
      unit: 'B',
      goal: { better: 'lower', limit: 1024 },
      note: `states when measured: ${[...byDefault.states].map(([state, n]) => `${state} ${n}`).join(', ')}`,
    },
    {
      id: 'bytesBot1Lean',
      label: 'the same, history off (`historyLength: 0`): idle chat in bot after 1 message',
      value: lean.afterOne.bytes,
      unit: 'B',
    },
    {
      id: 'bytesBot11Lean',
      label: 'the same, history off: idle chat in bot after 11 messages',
      value: lean.afterEleven.bytes,
      unit: 'B',
    },
    {
      id: 'bytesAwaitingLean',
      label: 'the same, history off: chat awaiting an operator',
      value: lean.awaiting.bytes,
      unit: 'B',
    },
  );
}

progress('throughput: engine, ceiling, peers');
// 3. Throughput: the engine against the ceiling and the peers, the same chats and snapshot size.
const events = scaled(20_000, 200);
const chatsForRate = scaled(2_000, 20);
let dispatchRate = 0;
let dispatchProfile: ProfileLine[] = [];
{
  const prefix = prefixFor('rate');
  const w = worker(prefix);
  const keys = chatKeys(4_000_000, chatsForRate);
  await pool(chatsForRate, concurrency, (i) => w.engine.dispatch(clientSays(at(keys, i))));
  // What the engine stores per chat here: the ceiling writes a snapshot of the same size.
  const engineSnapshotBytes = JSON.stringify((await w.store.load(at(keys, 0)))?.snapshot ?? {}).length;
  const before = await serverCounters(admin);
  const engineRun = async () => {
    const started = performance.now();
    await pool(events, concurrency, (i) => w.engine.dispatch(clientSays(at(keys, i))));
    return events / ((performance.now() - started) / 1000);
  };
  const engineRates = [await engineRun()];
  const after = await serverCounters(admin);

  const machine = createLifecycleMachine();
  const raw = new Redis(url, recommendedClientOptions);
  const persisted = (snapshot: Snapshot) => JSON.stringify(machine.getPersistedSnapshot(snapshot));
  const restore = (json: string, key: ChatKey) =>
    xstate.transition(machine, machine.resolveState(JSON.parse(json) as never), clientSays(key))[0];

  // The ceiling: transition() plus one CAS script per event, each chat's copy kept in memory.
  raw.defineCommand('benchCas', {
    numberOfKeys: 1,
    lua: `local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'v', v + 1, 's', ARGV[2])
return v + 1`,
  });
  const cas = raw as unknown as { benchCas(key: string, version: number, json: string): Promise<number> };
  const copies = keys.map((key) => ({ snapshot: xstate.initialTransition(machine, key)[0], version: 0 }));
  const padding = ' '.repeat(engineSnapshotBytes);
  let snapshotBytes = 0;
  const casRun = async () => {
    const casStarted = performance.now();
    await pool(events, concurrency, async (i) => {
      const index = i % chatsForRate;
      const copy = at(copies, index);
      for (;;) {
        const [next] = xstate.transition(machine, copy.snapshot, clientSays(at(keys, index)));
        // Serialised as a store would, then cut to the size the engine stores for the same chat.
        const json = `${persisted(next)}${padding}`.slice(0, engineSnapshotBytes);
        snapshotBytes = json.length;
        const version = Number(await cas.benchCas(`${prefix}-cas:{${index}}`, copy.version, json));
        if (version > 0) {
          copy.version = version;
          copy.snapshot = next;
          return;
        }
      }
    });
    return events / ((performance.now() - casStarted) / 1000);
  };

  // A peer a user would write: a per-chat lock (SET NX, GET, SET, DEL) around the same work.
  const lockRun = async () => {
    const lockStarted = performance.now();
    await pool(events, concurrency, async (i) => {
      const index = i % chatsForRate;
      const key = at(keys, index);
      const lockKey = `${prefix}-lock:${index}`;
      const stateKey = `${prefix}-lock-state:${index}`;
      const token = nextId();
      while ((await raw.set(lockKey, token, 'PX', 5_000, 'NX')) !== 'OK') await sleep(0);
      const stored = await raw.get(stateKey);
      const next =
        stored === null
          ? xstate.transition(machine, xstate.initialTransition(machine, key)[0], clientSays(key))[0]
          : restore(stored, key);
      await raw.set(stateKey, persisted(next));
      await raw.del(lockKey);
    });
    return events / ((performance.now() - lockStarted) / 1000);
  };

  // Three rounds, interleaved, so that a slow moment of a shared machine does not decide a ratio;
  // the medians are reported.
  const casRates = [await casRun()];
  const lockRates = [await lockRun()];
  for (let round = 1; round < 3; round += 1) {
    engineRates.push(await engineRun());
    casRates.push(await casRun());
    lockRates.push(await lockRun());
  }
  dispatchRate = median(engineRates);
  const casRate = median(casRates);
  const lockRate = median(lockRates);
  // Where the worker's time goes, in a run of its own so that sampling does not slow the figure.
  dispatchProfile = await profile(() =>
    pool(Math.ceil(events / 2), concurrency, (i) => w.engine.dispatch(clientSays(at(keys, i)))),
  );
  await w.close();

  // The other peer: WATCH, GET, transition(), MULTI SET EXEC, retried when EXEC fails. WATCH is
  // per connection, so each of the 32 in flight has its own.
  const connections = Array.from({ length: concurrency }, () => new Redis(url));
  let watchRetries = 0;
  const watchStarted = performance.now();
  let nextEvent = 0;
  await Promise.all(
    connections.map(async (connection) => {
      while (nextEvent < events) {
        const index = nextEvent % chatsForRate;
        nextEvent += 1;
        const key = at(keys, index);
        const stateKey = `${prefix}-watch:${index}`;
        for (;;) {
          await connection.watch(stateKey);
          const stored = await connection.get(stateKey);
          const next =
            stored === null
              ? xstate.transition(machine, xstate.initialTransition(machine, key)[0], clientSays(key))[0]
              : restore(stored, key);
          const result = await connection.multi().set(stateKey, persisted(next)).exec();
          if (result !== null) break;
          watchRetries += 1;
        }
      }
    }),
  );
  const watchRate = events / ((performance.now() - watchStarted) / 1000);
  for (const connection of connections) connection.disconnect();
  raw.disconnect();

  figures.push(
    {
      id: 'engineRate',
      label: `engine on Redis: client messages per second (one worker, ${concurrency} in flight)`,
      value: dispatchRate,
      unit: 'events/s',
      note: `median of 3 rounds: ${engineRates.map((rate) => rate.toFixed(0)).join(', ')}`,
    },
    {
      id: 'casRate',
      label: 'ceiling: transition() + one CAS script per event',
      value: casRate,
      unit: 'events/s',
      note: `median of 3 rounds: ${casRates.map((rate) => rate.toFixed(0)).join(', ')}; writes ${snapshotBytes} B, what the engine stores for these chats`,
    },
    {
      id: 'lockRate',
      label: 'peer: per-chat lock (SET NX, GET, SET, DEL) + transition()',
      value: lockRate,
      unit: 'events/s',
      note: `median of 3 rounds: ${lockRates.map((rate) => rate.toFixed(0)).join(', ')}; stores XState’s persisted snapshot, as a user would`,
    },
    {
      id: 'watchRate',
      label: `peer: WATCH, GET, transition(), MULTI SET EXEC (${watchRetries} retries)`,
      value: watchRate,
      unit: 'events/s',
    },
    {
      id: 'engineOverCas',
      label: 'engine on Redis / bare transition + one CAS script',
      value: dispatchRate / casRate,
      unit: 'ratio',
      goal: { better: 'higher', limit: 0.8 },
      note: `per round: ${engineRates.map((rate, round) => (rate / (casRates[round] ?? rate)).toFixed(2)).join(', ')}`,
    },
    {
      id: 'engineOverLock',
      label: 'engine on Redis / per-chat lock doing the same XState work',
      value: dispatchRate / lockRate,
      unit: 'ratio',
      goal: { better: 'higher', limit: 1.2 },
      note: `per round: ${engineRates.map((rate, round) => (rate / (lockRates[round] ?? rate)).toFixed(2)).join(', ')}`,
    },
    {
      id: 'engineOverWatch',
      label: 'engine on Redis / WATCH/MULTI doing the same XState work',
      value: dispatchRate / watchRate,
      unit: 'ratio',
    },
    {
      id: 'redisCpuPerEvent',
      label: 'Redis CPU per event (server used_cpu_user + used_cpu_sys)',
      value: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / events,
      unit: 'µs',
      goal: { better: 'lower', limit: 30 },
    },
    {
      id: 'redisCommandsPerEvent',
      label: 'Redis commands per event, scripts’ inner commands included (INFO commandstats)',
      value: (after.calls - before.calls) / events,
      unit: 'commands',
    },
  );
}

progress('1 and 2 worker processes');
// 4. 1 and 2 worker processes dispatching client messages to their own chats at once.
{
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const tsx = `${root}node_modules/.bin/tsx`;
  const script = fileURLToPath(new URL('./bench-worker.ts', import.meta.url));
  async function processes(count: number): Promise<number> {
    const prefix = prefixFor(`procs${count}`);
    const perProcess = Math.ceil(events / count);
    const children: { child: ChildProcess; lines: AsyncIterator<string>; exited: Promise<unknown> }[] = [];
    for (let index = 0; index < count; index += 1) {
      const child = spawn(
        tsx,
        [
          '--tsconfig',
          `${root}tsconfig.test.json`,
          script,
          url,
          prefix,
          String(5_000_000 + index * 100_000),
          String(chatsForRate),
          String(perProcess),
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      if (child.stdout === null) throw new Error('worker process has no stdout');
      // Listened for from the start: a worker may exit before the benchmark reads its last line.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      children.push({
        child,
        lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
        exited,
      });
    }
    const read = async (entry: (typeof children)[number], expected: string) => {
      const { value, done } = await entry.lines.next();
      if (done === true || !String(value).startsWith(expected)) {
        throw new Error(`worker process said ${String(value)} instead of ${expected}`);
      }
      return String(value);
    };
    await Promise.all(children.map((entry) => read(entry, 'ready')));
    const started = performance.now();
    for (const { child } of children) child.stdin?.write('go\n');
    await Promise.all(children.map((entry) => read(entry, 'done')));
    const seconds = (performance.now() - started) / 1000;
    for (const { child } of children) child.stdin?.end();
    await Promise.all(children.map(({ exited }) => exited));
    return (perProcess * count) / seconds;
  }
  const one = await processes(1);
  const two = await processes(2);
  figures.push(
    {
      id: 'oneProcessRate',
      label: `1 worker process: client messages per second (${concurrency} in flight)`,
      value: one,
      unit: 'events/s',
    },
    {
      id: 'twoProcessRate',
      label: `2 worker processes: client messages per second (${concurrency} in flight each)`,
      value: two,
      unit: 'events/s',
    },
    {
      id: 'twoOverOneProcess',
      label: '2 worker processes / 1 worker process',
      value: two / one,
      unit: 'ratio',
      note: `${cpus().length} cores shared by the workers, Redis and the benchmark`,
    },
  );
}

// 5. Timers: N deadlines due at one moment, set through the store, fired by a started worker
// that waited idle for them. The timers are ones the chats do not wait for: each fire is still a
// claim, a dispatch with its commit (the chat's state does not change) and a completion.
async function deadlines(count: number, first: number) {
  const prefix = prefixFor(`timers${count}`);
  const setter = worker(prefix);
  const keys = chatKeys(first, count);
  await pool(count, concurrency, (i) => setter.engine.dispatch(clientSays(at(keys, i))));
  // Far enough ahead that every timer is set before it is due.
  const dueAt = Date.now() + 1_000 + count;
  let setLate = 0;
  await pool(count, concurrency, async (i) => {
    const key = at(keys, i);
    const chat = await setter.store.load(key);
    if (chat === undefined) throw new Error(`chat ${key.chatId} vanished`);
    const delayMs = dueAt - Date.now();
    if (delayMs <= 0) setLate += 1;
    const result = await setter.store.commit({
      key,
      expectedVersion: chat.version,
      snapshot: chat.snapshot,
      summary: chat.summary,
      eventId: nextId(),
      effects: [],
      timersToSet: [{ id: `deadline-${key.chatId}`, key, delayMs: Math.max(0, delayMs) }],
      timersToCancel: [],
    });
    if (result.status !== 'committed') throw new Error(`setting a timer answered ${result.status}`);
  });
  await setter.close();
  if (setLate > 0) console.log(`(${setLate} of ${count} timers were set after their deadline)`);
  const firing = worker(prefix);
  const fired: number[] = [];
  firing.engine.on('timer.fired', () => fired.push(Date.now()));
  firing.engine.start();
  await until(() => fired.length >= count, `${count} timers`, 600_000);
  await firing.close();
  const lateness = fired.map((time) => Math.max(0, time - dueAt));
  const last = Math.max(...fired);
  return { lateness, firesPerSecond: count / Math.max(0.001, (last - dueAt) / 1000) };
}
progress('timers');
{
  const big = await deadlines(scaled(10_000, 100), 6_000_000);
  const small = await deadlines(scaled(1_000, 20), 7_000_000);
  figures.push(
    {
      id: 'fireRate',
      label: `timer fires per second, ${big.lateness.length} deadlines due at once`,
      value: big.firesPerSecond,
      unit: 'fires/s',
    },
    {
      id: 'fireOverDispatch',
      label: `timer firing rate / the same worker’s dispatch rate (${format(dispatchRate)} events/s)`,
      value: big.firesPerSecond / dispatchRate,
      unit: 'ratio',
      goal: { better: 'higher', limit: 0.8 },
    },
    {
      id: 'lateness10kP50',
      label: `lateness p50, ${big.lateness.length} deadlines due at once`,
      value: percentile(big.lateness, 50),
      unit: 'ms',
    },
    {
      id: 'lateness10kP99',
      label: `lateness p99, ${big.lateness.length} deadlines due at once`,
      value: percentile(big.lateness, 99),
      unit: 'ms',
      goal: { better: 'lower', limit: 1_500 },
    },
    {
      id: 'lateness1kP50',
      label: `lateness p50, ${small.lateness.length} deadlines due at once`,
      value: percentile(small.lateness, 50),
      unit: 'ms',
    },
    {
      id: 'lateness1kP99',
      label: `lateness p99, ${small.lateness.length} deadlines due at once`,
      value: percentile(small.lateness, 99),
      unit: 'ms',
      goal: { better: 'lower', limit: 250 },
    },
  );
}

progress('an idle worker');
// 6. An idle started worker: the commands it sends (MONITOR), and the server's commands (INFO,
// scripts' inner commands included).
{
  const w = worker(prefixFor('idle'));
  w.engine.start();
  await sleep(1_000);
  const seconds = Math.max(2, Math.round(10 * Math.min(1, scale * 5)));
  const watch = await watchRoundTrips(url, [admin]);
  await watch.phase();
  const before = await serverCounters(admin);
  await sleep(seconds * 1_000);
  const after = await serverCounters(admin);
  const sent = await watch.phase();
  watch.close();
  await w.close();
  figures.push(
    {
      id: 'idleCommandsPerSecond',
      label: `Redis commands per second an idle started worker sends (over ${seconds} s)`,
      value: total(sent) / seconds,
      unit: 'commands/s',
      goal: { better: 'lower', limit: 10 },
      note: [...sent].map(([name, count]) => `${name} ${format(count / seconds)}/s`).join(', '),
    },
    {
      id: 'idleServerCommandsPerSecond',
      label: 'the same, as server commands (scripts’ inner commands included, INFO commandstats)',
      value: (after.calls - before.calls) / seconds,
      unit: 'commands/s',
    },
  );
}

writeResults('store-redis', figures, {
  machine: machineInfo,
  profile: dispatchProfile,
  breakdowns: { handOver: handOverBreakdown, message: messageBreakdown, bytes: bytesBreakdown },
});
admin.disconnect();
server?.kill();
