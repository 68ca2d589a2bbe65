import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { EventEmitter } from 'eventemitter3';
import { z } from 'zod';
import type { ChatKey } from '../chat-key.js';
import { chatKeySchema } from '../chat-key.js';
import { systemClock } from '../contracts/clock.js';
import { safeLog } from '../contracts/logger.js';
import type { RoutingCounters } from '../contracts/routing-counters.js';
import type { Scheduler } from '../contracts/scheduler.js';
import type { Store } from '../contracts/store.js';
import { BatonError, invalidInput } from '../errors.js';
import {
  type BatonEventInput,
  type InternalEvent,
  internalEventSchema,
  type LifecycleEvent,
} from '../events.js';
import type { ChatContext, ChatState } from '../machine/context.js';
import { createLifecycleMachine } from '../machine/lifecycle-machine.js';
import { resolveMigrations } from '../machine/schema-version.js';
import { restoreSnapshot, stateOf } from '../machine/snapshot.js';
import { createMemoryStore } from '../memory/index.js';
import { createAvailabilityCheck } from '../policies/availability.js';
import type { StepDefaults } from '../routing/types.js';
import { chatCacheMaxAgeMs, createChatCache } from './chat-cache.js';
import { logCommitted, publishCommitted } from './commit-report.js';
import { observeScheduler, observeStore, observeTransport, traceDispatch } from './diagnostics.js';
import {
  type CommittedDispatch,
  createDispatcher,
  type DispatchExtras,
  type DispatchResult,
  type InternalDispatchResult,
} from './dispatcher.js';
import type { EngineEvents } from './engine-events.js';
import { internalDispatch } from './internal-entry.js';
import { createEngineListeners } from './listeners.js';
import { type EngineOptions, resolveWorkerOptions, validateEngineOptions } from './options.js';
import { createOutboxRunner, type OutboxRunnerDeps, runOutboxRound } from './outbox-runner.js';
import { parseCallerEvent } from './parse-event.js';
import { rateLimitedTransport } from './rate-limited-transport.js';
import { type ChatResetPayload, resetChat } from './reset-chat.js';
import { createStartWarning } from './start-warning.js';
import { createStepAvailability } from './step-availability.js';
import { createTimerRunner, runTimerRound, type TimerRunnerDeps } from './timer-runner.js';
import { unreadableReason } from './unreadable-chat.js';
import { createUnreadableTimers } from './unreadable-timers.js';
import { listenForWork, maxIdleSweepMs } from './work-hints.js';
import { createWorkerLoop } from './worker-loop.js';

/** One chat as the engine sees it. */
export interface ChatView {
  readonly key: ChatKey;
  readonly state: ChatState;
  readonly version: number;
  /** When the chat entered its state (engine clock). */
  readonly stateSince: number;
  readonly context: ChatContext;
}

/** The engine: feed it events, let it run the outbox and timers, listen to what happens. */
export interface Engine extends EventEmitter<EngineEvents> {
  /**
   * Applies one event to its chat and returns where the event's message should go. Throws a
   * `BatonError` with code `INVALID_INPUT` (nothing changed) for an invalid event, `NO_ROUTE`
   * when a transfer has no target, `ENGINE_STOPPED` after `stop()`.
   */
  dispatch(event: BatonEventInput): Promise<DispatchResult>;
  /** Shorthand for an `operator.answered` event with `source: 'explicit'`. */
  operatorAnswered(
    chat: ChatKey & { readonly operatorId?: number; readonly eventId?: string },
  ): Promise<DispatchResult>;
  /**
   * Puts a chat back in `bot` with its pending work dropped (timers cancelled, outbox entries no
   * longer awaited) and records the reset, with `reason`, in `context.resets`. For an operator
   * recovering a chat whose snapshot cannot be read back. Throws `CHAT_NOT_FOUND` for a chat
   * without history, `SNAPSHOT_FROM_NEWER_VERSION` (nothing changed) for a chat a newer version wrote.
   */
  resetChat(chat: ChatKey, reason: string): Promise<ChatResetPayload>;
  /** Reads one chat, or `undefined` when it has no history. */
  getChat(chat: ChatKey): Promise<ChatView | undefined>;
  /** Runs the outbox and due timers until nothing is left to do now (tests, scripts, one-shot jobs). */
  drain(options?: { maxRounds?: number }): Promise<void>;
  /**
   * Starts the background workers (outbox and timers). Idempotent. An engine that commits work
   * but is neither started nor drained warns through its logger after a few seconds.
   */
  start(): void;
  /**
   * Resolves when the engine can take work: not stopped, and its store answers (`store.ready()`,
   * e.g. a Redis `PING` within the command timeout). Rejects with the store's coded error
   * otherwise. Wire it to a readiness probe.
   */
  ready(): Promise<void>;
  /** Stops taking work, lets in-flight work finish, then resolves. Dispatch is refused afterwards. */
  stop(): Promise<void>;
}

const resetInputSchema = z.object({
  chat: chatKeySchema,
  reason: z.string().trim().min(1, 'give a reason').max(500),
});

const isScheduler = (value: object): value is Scheduler =>
  'claimDueTimers' in value && 'completeTimer' in value;
const isCounters = (value: object): value is RoutingCounters =>
  'nextInRotation' in value && 'readBusy' in value;

/**
 * Creates an engine. Everything but the transport defaults to memory: fine for one process and
 * for tests; give a shared store (e.g. `@baton/store-redis`) to run many workers.
 *
 * @example
 * ```ts
 * const engine = createEngine({ transport, confirmationPollIntervalMs: 5_000 });
 * engine.on('handoff.failed', ({ key, code }) => log.warn({ key, code }, 'nobody answered'));
 * engine.start();
 * const { route } = await engine.dispatch({
 *   type: 'message', id: 'm-1', portal: 'b24-abc', chatId: 42, author: { userId: 9, kind: 'client' }, text: 'hi',
 * });
 * ```
 */
export function createEngine(options: EngineOptions): Engine {
  validateEngineOptions(options);
  const clock = options.clock ?? systemClock;
  const givenStore: Store = options.store ?? createMemoryStore({ clock });
  const givenScheduler = options.scheduler ?? (isScheduler(givenStore) ? givenStore : undefined);
  if (!givenScheduler) {
    throw new BatonError(
      'INVALID_INPUT',
      'The store does not implement Scheduler; pass `scheduler` explicitly',
    );
  }
  const counters = options.counters ?? (isCounters(givenStore) ? givenStore : createMemoryStore({ clock }));
  const { transport: limitedTransport, refusal } = rateLimitedTransport(
    options.transport,
    givenStore,
    (options as { readonly rateLimiter?: unknown }).rateLimiter,
  );
  // What the store, the scheduler and the transport do is published on diagnostics channels.
  const store = observeStore(givenStore);
  const scheduler = observeScheduler(givenScheduler, clock);
  const transport = observeTransport(limitedTransport);
  const { logger } = options;
  const machine = options.machine ?? buildMachine(options);
  const migrations = resolveMigrations(options.migrations);
  const defaults: StepDefaults = {
    leave: options.defaults?.leave === true || options.defaults?.leave === 'Y',
    confirmationTimeoutMs: options.defaults?.confirmationTimeoutMs ?? 120_000,
  };
  const worker = resolveWorkerOptions(options.worker);
  const { emitter, emit: safeEmit, reportError } = createEngineListeners({ logger });
  // A store that opened its own connections reports their failures (e.g. Redis unreachable) here.
  const stopHearingStore = givenStore.onError?.((error) => reportError(error, { stage: 'store' }));
  const startWarning = createStartWarning(logger);
  const stopSignal = new AbortController();
  // Every wait for rate budget listens to this one signal.
  setMaxListeners(0, stopSignal.signal);
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  function onCommitted(committed: CommittedDispatch): void {
    const { key, event, from, after, version, notices } = committed;
    const at = clock.now();
    const to = stateOf(after);
    publishCommitted(committed, at);
    logCommitted(logger, committed);
    safeEmit('transition', { key, from, to, eventType: event.type, eventId: event.id, version, at });
    for (const notice of notices) {
      safeEmit(notice.type, { ...notice, key, at } as never);
    }
    if (committed.effectCount > 0) startWarning.workWaiting();
    if (committed.effectCount > 0) outboxLoop.wake();
  }

  // Wall-clock ages, not the engine clock's: see `createChatCache`.
  const chatCache = createChatCache(worker.chatCacheSize, chatCacheMaxAgeMs, Date.now);
  const dispatchCommitted = createDispatcher({
    machine,
    store,
    counters,
    router: options.router,
    clock,
    defaults,
    policy: { whileAwaiting: options.whileAwaiting ?? 'bot' },
    maxCommitAttempts: options.maxCommitAttempts ?? 25,
    cache: chatCache,
    onCommitted,
    migrations,
    ...(options.availability === undefined
      ? {}
      : {
          stepAvailability: createStepAvailability(
            createAvailabilityCheck(options.availability, clock, (error) =>
              reportError(error, { stage: 'availability' }),
            ),
          ),
        }),
  });
  /** A chat that cannot be read back is reported on its own channel as well as by the error. */
  const dispatchValid = (event: Parameters<typeof dispatchCommitted>[0], extras?: DispatchExtras) =>
    dispatchCommitted(event, extras).catch((error: unknown) => {
      const unreadable = unreadableReason(error);
      if (unreadable) {
        safeEmit('chat.unreadable', { key: { portal: event.portal, chatId: event.chatId }, ...unreadable });
      }
      throw error;
    });
  const unreadableTimers = createUnreadableTimers({
    scheduler,
    clock,
    options: options.unreadableTimers,
    onParked: (payload) => safeEmit('timer.parked', payload),
  });

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  }

  async function dispatch(input: BatonEventInput): Promise<DispatchResult> {
    if (stopped) throw new BatonError('ENGINE_STOPPED', 'The engine is stopped and takes no more events');
    const event = parseCallerEvent(input);
    return track(traceDispatch(event, () => dispatchValid(stamped(event))));
  }

  /** The event with the engine's time of receipt, which the machine records with a failure. */
  function stamped<E extends LifecycleEvent>(event: E): E {
    return { ...event, at: clock.now() };
  }

  /** Reads a chat and validates its snapshot against the machine. */
  async function loadChat(key: ChatKey): Promise<ChatView | undefined> {
    const stored = await store.load(key);
    if (!stored) return undefined;
    const snapshot = restoreSnapshot(machine, stored.snapshot, key, migrations);
    return {
      key,
      state: stateOf(snapshot),
      version: stored.version,
      stateSince: stored.summary.stateSince,
      context: snapshot.context,
    };
  }

  /** Engine-made events (call outcomes, fired timers): validated like any other, through their own entry. */
  function feedBack(input: InternalEvent, extras?: DispatchExtras): Promise<InternalDispatchResult> {
    const parsed = internalEventSchema.safeParse(input);
    if (!parsed.success) return Promise.reject(invalidInput('engine event', parsed.error));
    const event = parsed.data;
    return traceDispatch(event, () => dispatchValid(stamped(event), extras));
  }

  const outboxDeps = (): OutboxRunnerDeps => ({
    store,
    transport,
    batchSize: worker.batchSize,
    leaseMs: worker.effectLeaseMs,
    stopping: stopSignal.signal,
    standing: async (effect) => {
      const context = (await loadChat(effect.key))?.context;
      if (context?.awaitedEffect !== effect.id) {
        // A waiting-room message is sent while the chat still means to say it, awaited or not.
        return context?.waitingMessages.includes(effect.id) ? 'awaited' : 'stale';
      }
      return context.withdrawnEffect === effect.id ? 'withdrawn' : 'awaited';
    },
    feedBack,
    reportError,
  });
  const runOutbox = () => runOutboxRound(outboxDeps());
  // In the background the outbox is pipelined: one portal waiting for budget never holds up another.
  const outboxRunner = createOutboxRunner({
    ...outboxDeps(),
    maxInFlight: worker.batchSize * 16,
    perPortal: 4,
    // Polls due together are claimed within about one idle pause of the loops (a poll is a
    // fallback signal: waiting 200 ms for the others costs it nothing).
    pollGatherMs: Math.max(worker.pollIntervalMs, 200),
    track,
  });
  const timerDeps: TimerRunnerDeps = {
    scheduler,
    batchSize: worker.batchSize,
    visibilityMs: worker.timerVisibilityMs,
    feedBack,
    onFired: (payload) => safeEmit('timer.fired', { ...payload, at: clock.now() }),
    reportError,
    unreadable: unreadableTimers,
    // A commit can complete a timer only in the store that holds it.
    completesInCommit: (givenScheduler as object | undefined) === givenStore,
  };
  const runTimers = () => runTimerRound(timerDeps);
  // In the background, claims of timers overlap the fires in flight.
  const timerRunner = createTimerRunner({ ...timerDeps, maxInFlight: worker.batchSize * 16, track });

  // Two loops, so that an outbox round waiting for one portal's rate budget never holds back
  // another chat's deadline. With a store that sends work hints, the loops look when told (and
  // sweep now and then in case a hint was lost) instead of every `pollIntervalMs`.
  const hints = listenForWork(givenStore, givenScheduler);
  const idleIntervalMs =
    hints === undefined ? worker.pollIntervalMs : Math.max(worker.pollIntervalMs, maxIdleSweepMs);
  const outboxLoop = createWorkerLoop({
    intervalMs: idleIntervalMs,
    round: () => track(outboxRunner.round()),
    reportError: (error) => reportError(error, { stage: 'outbox' }),
  });
  const timerLoop = createWorkerLoop({
    intervalMs: idleIntervalMs,
    round: () => track(timerRunner.round()),
    reportError: (error) => reportError(error, { stage: 'timers' }),
  });
  let stopHints: (() => void) | undefined;

  const engine = emitter as Engine;
  Object.defineProperty(engine, internalDispatch, {
    value: (event: InternalEvent) => {
      if (stopped) return Promise.reject(new BatonError('ENGINE_STOPPED', 'The engine is stopped'));
      return track(feedBack(event));
    },
  });
  return Object.assign(engine, {
    dispatch,
    operatorAnswered: (chat: ChatKey & { readonly operatorId?: number; readonly eventId?: string }) =>
      dispatch({
        type: 'operator.answered',
        id: chat.eventId ?? `explicit:${randomUUID()}`,
        portal: chat.portal,
        chatId: chat.chatId,
        source: 'explicit',
        ...(chat.operatorId === undefined ? {} : { operatorId: chat.operatorId }),
      }),
    async resetChat(chat: ChatKey, reason: string): Promise<ChatResetPayload> {
      const parsed = resetInputSchema.safeParse({ chat, reason });
      if (!parsed.success) throw invalidInput('resetChat arguments', parsed.error);
      // The reset moves the version on, which the store's check alone would catch; forgetting the
      // copy spares the next event that conflict, whether the reset committed or failed.
      const reset = await track(
        resetChat({ store, machine, clock, migrations }, parsed.data.chat, parsed.data.reason),
      ).finally(() => chatCache.forget(parsed.data.chat));
      safeEmit('chat.reset', reset);
      return reset;
    },
    async getChat(chat: ChatKey): Promise<ChatView | undefined> {
      const parsed = chatKeySchema.safeParse(chat);
      if (!parsed.success) throw invalidInput('chat key', parsed.error);
      return loadChat(parsed.data);
    },
    async drain({ maxRounds = 1_000 }: { maxRounds?: number } = {}): Promise<void> {
      if (refusal) throw refusal;
      startWarning.driven();
      for (let round = 0; round < maxRounds && !stopped; round += 1) {
        const work = (await track(runOutbox())) + (await track(runTimers()));
        if (work === 0) return;
      }
    },
    start(): void {
      if (stopped) throw new BatonError('ENGINE_STOPPED', 'A stopped engine cannot be started again');
      if (refusal) throw refusal;
      startWarning.driven();
      outboxLoop.start();
      timerLoop.start();
      stopHints ??= hints?.((hint) => (hint.kind === 'outbox' ? outboxLoop : timerLoop).wakeIn(hint.inMs));
      safeLog(logger, 'info', { pollIntervalMs: worker.pollIntervalMs }, 'baton: engine started');
    },
    async ready(): Promise<void> {
      if (stopped) throw new BatonError('ENGINE_STOPPED', 'The engine is stopped');
      await givenStore.ready?.();
    },
    async stop(): Promise<void> {
      if (!stopped) safeLog(logger, 'info', {}, 'baton: engine stopping');
      stopped = true;
      startWarning.driven();
      stopSignal.abort(); // no new calls, no more waiting for rate budget; calls in flight finish
      stopHints?.();
      await Promise.all([outboxLoop.stop(), timerLoop.stop()]);
      await Promise.allSettled([...inFlight]);
      stopHearingStore?.();
    },
  });
}

/** The default machine from the engine's options (bad lifecycle options are `INVALID_INPUT`). */
function buildMachine(options: EngineOptions) {
  const lifecycle = {
    ...options.lifecycle,
    ...(options.confirmationPollIntervalMs === undefined
      ? {}
      : { confirmationPollIntervalMs: options.confirmationPollIntervalMs }),
  };
  return createLifecycleMachine(lifecycle);
}
