/**
 * How fast the engine applies events on the memory store, against two baselines measured in the
 * same run: XState's pure `transition()` alone (the machine's cost) and `transition()` plus a
 * JSON round trip of the snapshot (what persisting costs at the least).
 * Run: `pnpm bench` (or `pnpm exec tsx packages/core/bench/dispatch.bench.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BatonEventInput, createEngine, createLifecycleMachine } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { initialTransition, transition } from 'xstate';
import type { MachineEvent } from '../src/machine/machine-events.js';
import { persistSnapshot, restoreSnapshot } from '../src/machine/snapshot.js';

// `BENCH_SCALE` shrinks the count (CI runs a smoke at 0.02).
const EVENTS = Math.max(200, Math.round(20_000 * Number(process.env.BENCH_SCALE ?? 1)));
const CHATS = 200;

function message(i: number): BatonEventInput & MachineEvent {
  return {
    type: 'message',
    id: `m${i}`,
    portal: 'bench',
    chatId: (i % CHATS) + 1,
    author: { userId: 9, kind: 'client' },
    text: 'hi',
  };
}

function measure(label: string, run: () => Promise<void> | void): Promise<number> {
  return (async () => {
    const started = performance.now();
    await run();
    const seconds = (performance.now() - started) / 1000;
    const perSecond = EVENTS / seconds;
    console.log(
      `${label.padEnd(44)} ${perSecond.toFixed(0).padStart(9)} events/s  (${(seconds * 1000).toFixed(0)} ms)`,
    );
    return perSecond;
  })();
}

const machine = createLifecycleMachine();
const pureRate = await measure('transition() only', () => {
  const [start] = initialTransition(machine, { portal: 'bench', chatId: 1 });
  let snapshot = start;
  for (let i = 0; i < EVENTS; i += 1)
    [snapshot] = transition(machine, snapshot, { ...message(i), chatId: 1 });
});

const persistedRate = await measure('transition() + JSON save/restore', () => {
  const key = { portal: 'bench', chatId: 1 };
  let stored = JSON.stringify(persistSnapshot(initialTransition(machine, key)[0]));
  for (let i = 0; i < EVENTS; i += 1) {
    const [next] = transition(machine, restoreSnapshot(machine, JSON.parse(stored), key), {
      ...message(i),
      chatId: 1,
    });
    stored = JSON.stringify(persistSnapshot(next));
  }
});

const engine = createEngine({ transport: createFakeTransport() });
const sequentialRate = await measure(`engine.dispatch, memory store, sequential`, async () => {
  for (let i = 0; i < EVENTS; i += 1) await engine.dispatch(message(i));
});

const concurrent = createEngine({ transport: createFakeTransport() });
const concurrentRate = await measure(`engine.dispatch, memory store, ${CHATS} chats at once`, async () => {
  for (let batch = 0; batch < EVENTS; batch += CHATS) {
    await Promise.all(
      Array.from({ length: CHATS }, (_, j) => concurrent.dispatch(message(EVENTS + batch + j))),
    );
  }
});

console.log(
  `\nratios: dispatch/transition ${(sequentialRate / pureRate).toFixed(3)}, dispatch/persisted-transition ${(sequentialRate / persistedRate).toFixed(3)}, concurrent/sequential ${(concurrentRate / sequentialRate).toFixed(2)}`,
);

// Where `scripts/bench-all.mjs` collects figures for docs/benchmarks.md, when it asks for them.
if (process.env.BENCH_OUT !== undefined) {
  mkdirSync(process.env.BENCH_OUT, { recursive: true });
  const figures = [
    {
      id: 'transitionRate',
      label: 'bare transition(): events per second',
      value: pureRate,
      unit: 'events/s',
    },
    {
      id: 'memoryEngineRate',
      label: 'memory-store engine, sequential: events per second',
      value: sequentialRate,
      unit: 'events/s',
    },
    {
      id: 'memoryEngineOverTransition',
      label: 'memory-store engine / bare transition()',
      value: sequentialRate / pureRate,
      unit: 'ratio',
      goal: { better: 'higher', limit: 0.7 },
    },
  ];
  writeFileSync(
    join(process.env.BENCH_OUT, 'core.json'),
    `${JSON.stringify({ name: 'core', figures }, null, 2)}\n`,
  );
}
