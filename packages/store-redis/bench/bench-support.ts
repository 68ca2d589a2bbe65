// Shared pieces of the Redis benchmarks: scale, INFO readers, a round-trip counter that watches
// the server with MONITOR (from outside the worker), bytes under a prefix, percentiles, a CPU
// profile, and the results file `scripts/bench-all.mjs` turns into docs/benchmarks.md.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { scriptSources } from '../src/index.js';

/** `BENCH_SCALE` shrinks every count (CI runs a smoke at 0.02); figures then only show it runs. */
export const scale = Number(process.env.BENCH_SCALE ?? 1);
export const scaled = (count: number, least = 2) => Math.max(least, Math.round(count * scale));

/** Total command calls (scripts' inner commands included) and CPU seconds of the server, from INFO. */
export async function serverCounters(admin: Redis): Promise<{ calls: number; cpuSeconds: number }> {
  const [commandstats, cpu] = await Promise.all([admin.info('commandstats'), admin.info('cpu')]);
  let calls = 0;
  for (const match of commandstats.matchAll(/^cmdstat_([\w|-]+):calls=(\d+)/gm)) {
    // INFO is the benchmark reading, not the work measured.
    if (match[1] !== 'info') calls += Number(match[2]);
  }
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
  return { calls, cpuSeconds: field('used_cpu_sys') + field('used_cpu_user') };
}

/** The package's scripts by the SHA1 that EVALSHA names them with (what ioredis sends). */
const scriptBySha = new Map(
  Object.entries(scriptSources).map(([name, { lua }]) => [
    createHash('sha1').update(lua).digest('hex'),
    name,
  ]),
);

/** A script's opening as MONITOR shows it and as the source has it: escapes and blanks removed. */
const opening = (text: string) =>
  text
    .replace(/\\[nrt]/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\s+/g, '')
    .slice(0, 160);
const scriptByOpening = new Map(Object.entries(scriptSources).map(([name, { lua }]) => [opening(lua), name]));

/** A command as a reader should see it: scripts by name, everything else by its command. */
function commandName(args: readonly string[]): string {
  const name = String(args[0] ?? '').toUpperCase();
  const ref = String(args[1] ?? '');
  if (name === 'EVALSHA') return `EVALSHA ${scriptBySha.get(ref) ?? 'unknown script'}`;
  if (name === 'EVAL') return `EVAL ${scriptByOpening.get(opening(ref)) ?? 'unknown script'}`;
  return name;
}

/**
 * Counts, from outside, the round trips of every client but the benchmark's own: MONITOR lists
 * each command with its connection; a MULTI … EXEC block counts once (as `MULTI/EXEC`); commands a
 * script runs inside Redis (source `lua`) are not round trips; nor are the commands of `alsoOwn`
 * (the benchmark's own clients). Phases are cut by marks the benchmark's own client sends (ECHO),
 * so that the stream's order decides, not timing.
 * MONITOR slows Redis down: throughput is measured without it.
 */
export async function watchRoundTrips(url: string, alsoOwn: readonly Redis[] = []) {
  const marker = new Redis(url);
  const watcher = new Redis(url);
  const ownAddress = (client: Redis) =>
    client.client('INFO').then((info) => /\baddr=(\S+)/.exec(String(info))?.[1] ?? '');
  const ignored = new Set(await Promise.all([marker, watcher, ...alsoOwn].map(ownAddress)));
  const monitor = await watcher.monitor();
  let counts = new Map<string, number>();
  const inMulti = new Set<string>();
  const seenMarks = new Set<string>();
  let marks = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source.startsWith('lua')) return;
    if (ignored.has(source)) {
      if (String(args[0]).toLowerCase() === 'echo') seenMarks.add(String(args[1]));
      return;
    }
    const name = commandName(args);
    if (name === 'MULTI') inMulti.add(source);
    else if (name === 'EXEC' || name === 'DISCARD') {
      inMulti.delete(source);
      counts.set('MULTI/EXEC', (counts.get('MULTI/EXEC') ?? 0) + 1);
    } else if (!inMulti.has(source)) counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  return {
    /** Ends the current phase: the round trips since the last call, by command or script. */
    async phase(): Promise<Map<string, number>> {
      marks += 1;
      const mark = `bench-mark-${marks}`;
      await marker.echo(mark);
      // The stream arrives asynchronously: wait until the mark is in it.
      while (!seenMarks.has(mark)) await new Promise((resolve) => setTimeout(resolve, 5));
      const done = counts;
      counts = new Map();
      return done;
    },
    close() {
      monitor.disconnect();
      watcher.disconnect();
      marker.disconnect();
    },
  };
}

export const total = (counts: ReadonlyMap<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/**
 * Bytes the keys matching `*<tag>*` take (`MEMORY USAGE … SAMPLES 0`), found with SCAN so that
 * nothing here knows the key layout: divided by the number of chats, it includes each chat's
 * share of shared indexes under the same prefix.
 */
export async function bytesMatching(
  admin: Redis,
  tag: string,
): Promise<{ bytes: number; keys: number; byKind: Map<string, number> }> {
  let cursor = '0';
  let bytes = 0;
  let keys = 0;
  // Grouped by the key name's last `:` segment (`chat`, `dedupe`, …): a reading aid, no layout assumed.
  const byKind = new Map<string, number>();
  do {
    const [next, found] = await admin.scan(cursor, 'MATCH', `*${tag}*`, 'COUNT', 1_000);
    cursor = next;
    for (const key of found) {
      keys += 1;
      const used = Number((await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
      bytes += used;
      const kind = key.slice(key.lastIndexOf(':') + 1);
      byKind.set(kind, (byKind.get(kind) ?? 0) + used);
    }
  } while (cursor !== '0');
  return { bytes, keys, byKind };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/** Runs `work(i)` for i < count with `limit` in flight. */
export async function pool(
  count: number,
  limit: number,
  work: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        await work(index);
      }
    }),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`benchmark step timed out: ${what}`);
    await sleep(5);
  }
}

/** One figure of docs/benchmarks.md. `goal` makes it a row of the goal table; `better` says which way is good. */
export interface Figure {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly goal?: { readonly better: 'lower' | 'higher'; readonly limit: number };
  readonly note?: string;
}

/** Writes this benchmark's figures (and extras: machine, profile, breakdowns) where `scripts/bench-all.mjs` collects them. */
export function writeResults(
  name: string,
  figures: readonly Figure[],
  extra: Record<string, unknown> = {},
): void {
  for (const figure of figures) {
    const goal = figure.goal
      ? ` (goal ${figure.goal.better === 'lower' ? '<=' : '>='} ${figure.goal.limit})`
      : '';
    console.log(`${figure.label.padEnd(78)} ${format(figure.value)} ${figure.unit}${goal}`);
  }
  const dir = process.env.BENCH_OUT;
  if (dir === undefined) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ name, figures, ...extra }, null, 2)}\n`);
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** One line of a CPU profile summary: a function and its share of the samples. */
export interface ProfileLine {
  readonly fn: string;
  readonly selfPercent: number;
}

/** Samples this process's CPU while `work` runs; returns the functions with most self time. */
export async function profile(work: () => Promise<void>, top = 15): Promise<ProfileLine[]> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );
  type CpuProfile = {
    profile: {
      nodes: { hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    };
  };
  await post('Profiler.enable');
  await post('Profiler.start');
  let stopped: CpuProfile;
  try {
    await work();
  } finally {
    stopped = (await post('Profiler.stop')) as CpuProfile;
    session.disconnect();
  }
  const totals = new Map<string, number>();
  let all = 0;
  for (const node of stopped.profile.nodes) {
    const hits = node.hitCount ?? 0;
    all += hits;
    const file = node.callFrame.url.replace(/^.*\/(packages|node_modules)\//, '$1/');
    const name =
      `${node.callFrame.functionName || '(anonymous)'} ${file ? `${file}:${node.callFrame.lineNumber + 1}` : ''}`.trim();
    totals.set(name, (totals.get(name) ?? 0) + hits);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, hits]) => ({ fn, selfPercent: all === 0 ? 0 : (hits / all) * 100 }));
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
