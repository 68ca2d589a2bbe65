import { z } from 'zod';
import type { Clock } from '../contracts/clock.js';
import { type Logger, loggerSchema } from '../contracts/logger.js';
import type { RoutingCounters } from '../contracts/routing-counters.js';
import type { Scheduler } from '../contracts/scheduler.js';
import type { Store } from '../contracts/store.js';
import type { Transport } from '../contracts/transport.js';
import { invalidInput } from '../errors.js';
import { leaveSchema, planStepSchema } from '../events.js';
import type { LifecycleOptions } from '../machine/options.js';
import type { SnapshotMigration } from '../machine/schema-version.js';
import type { LifecycleMachine } from '../machine/snapshot.js';
import type { AvailabilityOptions } from '../policies/availability.js';
import type { Router } from '../routing/types.js';
import { defaultChatCacheSize } from './chat-cache.js';
import type { MessageRoute } from './message-route.js';
import type { UnreadableTimerOptions } from './unreadable-timers.js';

/** How the engine's background workers pace themselves. */
export interface WorkerOptions {
  /**
   * How often an idle worker looks for due timers and outbox entries. With a store that sends
   * work hints (`onWork`, as the Redis store does) an idle worker instead waits for a hint and
   * looks at least every 5 s (or every `pollIntervalMs`, if longer) in case one was lost.
   * @defaultValue `200`
   */
  readonly pollIntervalMs?: number;
  /** Outbox entries and timers claimed per round. @defaultValue `32` */
  readonly batchSize?: number;
  /**
   * How long a claimed outbox entry stays this worker's before another may take it over. A call
   * still running at 80% of it is aborted (retryable `CALL_TIMEOUT`). Keep it above the
   * transport's worst case for one call, retries included. @defaultValue `60_000`
   */
  readonly effectLeaseMs?: number;
  /** How long a claimed timer stays invisible to other workers. @defaultValue `30_000` */
  readonly timerVisibilityMs?: number;
  /**
   * How many chats this worker remembers (snapshot and version of its last commit, each for at
   * most 10 s, least recently used dropped first), so that their next event needs no `load`: on
   * Redis, an event then costs one round trip. A copy another worker made stale costs one
   * conflict and a retry, never a wrong write: the store's version check decides. A store whose
   * records can vanish (retention) must keep them longer than 10 s. `0` reads before every commit.
   * @defaultValue `10_000`
   */
  readonly chatCacheSize?: number;
}

/** Options of `createEngine`. Everything but `transport` has an in-memory default. */
export interface EngineOptions {
  /** How the engine talks to the platform. Required. */
  readonly transport: Transport;
  /** Where chats, the outbox and dedupe records live. @defaultValue a new memory store */
  readonly store?: Store;
  /** Where due timers come from. @defaultValue the store, when it implements `Scheduler` */
  readonly scheduler?: Scheduler;
  /**
   * Shared routing counters: rotations, and the busy counts that the store's commits keep (so
   * give the counters of the store the engine commits to).
   * @defaultValue the store, when it implements `RoutingCounters`
   */
  readonly counters?: RoutingCounters;
  /** Resolves transfer requests that name no target. @defaultValue none: such requests are `NO_ROUTE` */
  readonly router?: Router;
  /** @defaultValue the system clock */
  readonly clock?: Clock;
  /** A prebuilt lifecycle machine (see `createLifecycleMachine`). @defaultValue built from `lifecycle` */
  readonly machine?: LifecycleMachine;
  /** Retry and polling options of the default machine. */
  readonly lifecycle?: LifecycleOptions;
  /**
   * Poll `imopenlines.dialog.get` this often while awaiting an operator; `false` turns it off.
   * Polls come due on the interval's grid, and a transport with `readDialogOwners` reads those of
   * one portal together (50 chats a request). Shorthand for
   * `lifecycle.confirmationPollIntervalMs`. @defaultValue `false`
   */
  readonly confirmationPollIntervalMs?: number | false;
  /**
   * LEAVE (`true`/`'Y'` or `false`/`'N'`) and the confirmation timeout of a `transfer.request` in
   * the single-`target` form that gives none, and of routed steps whose strategy gives none. A
   * `plan`'s steps always give both.
   */
  readonly defaults?: { readonly leave?: boolean | 'Y' | 'N'; readonly confirmationTimeoutMs?: number };
  /** Where client messages go while a hand-over is in flight and the bot is present. @defaultValue `'bot'` */
  readonly whileAwaiting?: MessageRoute;
  /** Commit attempts per event before `CONFLICT_RETRIES_EXHAUSTED`. @defaultValue `25` */
  readonly maxCommitAttempts?: number;
  readonly worker?: WorkerOptions;
  /**
   * Where the engine writes what it does (pino, bunyan, `console`, …; see `Logger`): `error` for
   * background failures, `warn` for failed transfers and hand-overs and for work waiting on an
   * engine that was never started, `info` for start and stop, `debug` for every transition.
   * Without a logger and without an `error` listener, a background failure is printed to stderr
   * once per kind. @defaultValue none
   */
  readonly logger?: Logger;
  /**
   * Migrations of stored chats from older schema versions, added to the machine's own (one per
   * `from` version; yours replaces a built-in one of the same `from`). Applied on every load; the
   * chat is written back at the current version by its next commit.
   */
  readonly migrations?: readonly SnapshotMigration[];
  /**
   * Skip plan steps that cannot succeed now: a queue step out of its line's working hours, a user
   * step whose operator is away (`checkOperators`). @defaultValue none: every step is tried
   */
  readonly availability?: AvailabilityOptions;
  /** How timers of chats that cannot be read back are backed off and parked. */
  readonly unreadableTimers?: UnreadableTimerOptions;
}

const objectWith = (...methods: string[]) =>
  z.custom<object>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
    { message: `expected an object with ${methods.join(', ')}` },
  );

const engineOptionsSchema = z.object({
  transport: objectWith('transfer', 'removeBot', 'readDialogOwner', 'sendBotMessage'),
  store: objectWith('load', 'commit', 'claimEffects', 'completeEffect').optional(),
  scheduler: objectWith('claimDueTimers', 'completeTimer').optional(),
  counters: objectWith('nextInRotation', 'readBusy').optional(),
  router: objectWith('resolve').optional(),
  clock: objectWith('now').optional(),
  machine: z
    .custom<object>((value) => typeof value === 'object' && value !== null && 'resolveState' in value, {
      message: 'expected a machine from createLifecycleMachine',
    })
    .optional(),
  lifecycle: z.record(z.string(), z.unknown()).optional(),
  confirmationPollIntervalMs: z
    .union([z.number().int().min(100).max(3_600_000), z.literal(false)])
    .optional(),
  defaults: z
    .object({
      leave: leaveSchema.optional(),
      confirmationTimeoutMs: planStepSchema.shape.confirmationTimeoutMs.optional(),
    })
    .optional(),
  whileAwaiting: z.enum(['bot', 'operator', 'both', 'none']).optional(),
  maxCommitAttempts: z.number().int().min(1).max(1_000).optional(),
  logger: loggerSchema.optional(),
  worker: z
    .object({
      pollIntervalMs: z.number().int().min(1).max(60_000).optional(),
      batchSize: z.number().int().min(1).max(1_000).optional(),
      effectLeaseMs: z.number().int().min(100).max(3_600_000).optional(),
      timerVisibilityMs: z.number().int().min(100).max(3_600_000).optional(),
      chatCacheSize: z.number().int().min(0).max(1_000_000).optional(),
    })
    .optional(),
  migrations: z.array(z.unknown()).optional(),
  availability: z.record(z.string(), z.unknown()).optional(),
  unreadableTimers: z
    .object({
      maxAttempts: z.number().int().min(1).max(1_000).optional(),
      baseDelayMs: z.number().int().min(1).max(86_400_000).optional(),
      maxDelayMs: z.number().int().min(1).max(86_400_000).optional(),
    })
    .optional(),
});

/** Checks `createEngine`'s options; a mistake is an `INVALID_INPUT` error naming every problem. */
export function validateEngineOptions(options: EngineOptions): void {
  const parsed = engineOptionsSchema
    .refine(
      (value) =>
        value.machine === undefined ||
        (value.lifecycle === undefined && value.confirmationPollIntervalMs === undefined),
      {
        message:
          'give either a prebuilt `machine` or `lifecycle`/`confirmationPollIntervalMs` to build one, not both',
        path: ['machine'],
      },
    )
    .safeParse(options);
  if (!parsed.success) throw invalidInput('engine options', parsed.error);
}

/** The worker options with defaults applied. */
export function resolveWorkerOptions(options: WorkerOptions = {}): Required<WorkerOptions> {
  return {
    pollIntervalMs: options.pollIntervalMs ?? 200,
    batchSize: options.batchSize ?? 32,
    effectLeaseMs: options.effectLeaseMs ?? 60_000,
    timerVisibilityMs: options.timerVisibilityMs ?? 30_000,
    chatCacheSize: options.chatCacheSize ?? defaultChatCacheSize,
  };
}
