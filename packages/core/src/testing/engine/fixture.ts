import { afterEach, beforeEach } from 'vitest';
import type { ChatKey } from '../../chat-key.js';
import type { RateLimiter } from '../../contracts/rate-limiter.js';
import { defaultRateLimit } from '../../contracts/rate-limiter.js';
import type { RoutingCounters } from '../../contracts/routing-counters.js';
import type { Scheduler } from '../../contracts/scheduler.js';
import type { Store } from '../../contracts/store.js';
import { createEngine, type Engine } from '../../engine/engine.js';
import { type EngineEvents, engineEventNames } from '../../engine/engine-events.js';
import type { EngineOptions } from '../../engine/options.js';
import type { BatonEventInput, PlanStep } from '../../events.js';
import { withRateLimit } from '../../rate-limit/with-rate-limit.js';
import { createFakeTransport, type FakeTransport } from '../fake-transport.js';
import type { ConformanceHarness } from '../harness.js';
import { createManualClock, type ManualClock } from '../manual-clock.js';

/** A store that can back an engine on its own: chats, outbox, timers and routing counters. */
export type EngineStore = Store & Scheduler & RoutingCounters;

/** What each engine scenario works with. */
export interface EngineFixture {
  readonly engine: Engine;
  readonly transport: FakeTransport;
  readonly clock: ManualClock;
  readonly store: EngineStore;
  /** Every engine event, in order, as `[name, payload]`. */
  readonly seen: Array<[keyof EngineEvents, unknown]>;
  /** A chat of this fixture's own portal. */
  chat(chatId?: number): ChatKey;
  /** Builds events for one chat with unique ids. */
  events(key: ChatKey): EventFactory;
  /** Requests a hand-over for a new chat and runs the outbox: the chat is then awaiting or holding an operator. */
  handOver(plan: PlanStep[] | PlanStep, chatId?: number): Promise<{ key: ChatKey; ev: EventFactory }>;
  /** Creates another engine on the same store and clock (a second worker). */
  anotherEngine(options?: Partial<EngineOptions>): Engine;
  dispose(): Promise<void>;
}

export interface EventFactory {
  clientSays(text: string): BatonEventInput;
  operatorSays(operatorId: number, text?: string): BatonEventInput;
  transferTo(plan: PlanStep[] | PlanStep, extra?: { readonly announcement?: string }): BatonEventInput;
  answered(operatorId?: number): BatonEventInput;
  skipped(): BatonEventInput;
  botRemoved(reason: 'clientLeftBot' | 'kicked' | 'unknown'): BatonEventInput;
  finished(): BatonEventInput;
}

let portalSeq = 0;

/** The fake platform has no request budget: every call is granted at once, whatever the store. */
const noBudget: RateLimiter = {
  acquire: async () => ({ granted: true }),
  penalize: async () => {},
  close: async () => {},
};

/** A plan step to a user. */
export const toUser = (userId: number, leave = false, confirmationTimeoutMs = 60_000): PlanStep => ({
  target: { kind: 'user', userId },
  leave,
  confirmationTimeoutMs,
});

/** A plan step to a queue. */
export const toQueue = (queueId: number, leave = false, confirmationTimeoutMs = 60_000): PlanStep => ({
  target: { kind: 'queue', queueId },
  leave,
  confirmationTimeoutMs,
});

/** Starts an engine on a fresh store from `harness`, with a fake transport and a manual clock. */
export async function createEngineFixture(
  harness: ConformanceHarness<EngineStore>,
  options: Partial<EngineOptions> = {},
): Promise<EngineFixture> {
  const clock = createManualClock();
  const store = await harness.create({ clock, rateLimit: defaultRateLimit });
  const transport = createFakeTransport();
  const seen: Array<[keyof EngineEvents, unknown]> = [];
  const engines: Engine[] = [];
  const portal = `portal-${process.pid}-${++portalSeq}`;
  let eventSeq = 0;

  const build = (extra: Partial<EngineOptions>) => {
    const engine = createEngine({
      transport: withRateLimit(transport, noBudget),
      store,
      clock,
      ...options,
      ...extra,
    });
    engines.push(engine);
    return engine;
  };
  const engine = build({});
  for (const name of engineEventNames) {
    engine.on(name, (...args: unknown[]) => {
      seen.push([name, args[0]]);
    });
  }

  const eventsFor = (key: ChatKey): EventFactory => {
    const base = () => ({ id: `ev-${++eventSeq}`, portal: key.portal, chatId: key.chatId });
    return {
      clientSays: (text) => ({ ...base(), type: 'message', author: { userId: 900, kind: 'client' }, text }),
      operatorSays: (operatorId, text = 'Hello, I am here') => ({
        ...base(),
        type: 'message',
        author: { userId: operatorId, kind: 'operator' },
        text,
      }),
      transferTo: (plan, extra = {}) => ({
        ...base(),
        type: 'transfer.request',
        plan: Array.isArray(plan) ? plan : [plan],
        ...extra,
      }),
      answered: (operatorId) => ({
        ...base(),
        type: 'operator.answered',
        source: 'explicit',
        ...(operatorId === undefined ? {} : { operatorId }),
      }),
      skipped: () => ({ ...base(), type: 'operator.skipped' }),
      botRemoved: (reason) => ({ ...base(), type: 'bot.removed', reason }),
      finished: () => ({ ...base(), type: 'session.finished' }),
    };
  };

  return {
    engine,
    transport,
    clock,
    store,
    seen,
    chat: (chatId = 1) => ({ portal, chatId }),
    events: eventsFor,
    async handOver(plan, chatId = 1) {
      const key = { portal, chatId };
      const ev = eventsFor(key);
      await engine.dispatch(ev.transferTo(plan));
      await engine.drain();
      return { key, ev };
    },
    anotherEngine: (extra = {}) => build(extra),
    async dispose() {
      await Promise.all(engines.map((e) => e.stop()));
      await harness.destroy(store);
    },
  };
}

/** The names of the engine events seen so far, in order. */
export function namesOf(seen: EngineFixture['seen']): string[] {
  return seen.map(([name]) => name);
}

/**
 * Gives every test of the enclosing `describe` a fresh fixture (created before, disposed after
 * each test); call the returned function inside a test to get it.
 */
export function useEngineFixture(
  harness: ConformanceHarness<EngineStore>,
  options: Partial<EngineOptions> = {},
): () => EngineFixture {
  let current: EngineFixture | undefined;
  beforeEach(async () => {
    current = await createEngineFixture(harness, options);
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useEngineFixture: the fixture exists only inside a test');
    return current;
  };
}
