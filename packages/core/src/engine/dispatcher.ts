import type { ChatKey } from '../chat-key.js';
import type { Clock } from '../contracts/clock.js';
import type { RoutingCounters } from '../contracts/routing-counters.js';
import type { ChatSummary, Store, StoredChat } from '../contracts/store.js';
import { BatonError, invalidInput } from '../errors.js';
import { type LifecycleEvent, type PlanStep, planStepSchema, type TransferRequestEvent } from '../events.js';
import type { ChatState } from '../machine/context.js';
import type { Notice } from '../machine/instructions.js';
import type { MachineEvent } from '../machine/machine-events.js';
import { createPureTransition } from '../machine/pure-transition.js';
import { readInstructions } from '../machine/read-instructions.js';
import type { SnapshotMigration } from '../machine/schema-version.js';
import {
  type LifecycleMachine,
  type LifecycleSnapshot,
  persistSnapshot,
  restoreSnapshot,
  stateOf,
} from '../machine/snapshot.js';
import { sleep } from '../rate-limit/sleep.js';
import { busyClaim } from '../routing/busy-counts.js';
import type { Router, StepDefaults } from '../routing/types.js';
import type { CachedChat, ChatCache } from './chat-cache.js';
import { historyNote } from './history-note.js';
import { type MessageRoute, type MessageRoutingPolicy, routeMessage } from './message-route.js';
import type { StepAvailability } from './step-availability.js';

const routedPlanSchema = planStepSchema.array().min(1).max(32);

/** What `engine.dispatch` tells the caller. */
export interface DispatchResult {
  /** `duplicate` when the event id was seen before: nothing changed. */
  readonly status: 'applied' | 'duplicate';
  /** Where the event's message should go (always `none` for anything but a client message). */
  readonly route: MessageRoute;
  /** The chat's state after the event. */
  readonly state: ChatState;
  /** The chat's version after the event. */
  readonly version: number;
  /** Whether the event changed the chat (an ignored or stale event does not). */
  readonly changed: boolean;
}

/**
 * What a caller inside the engine may add to a dispatch: the chat as a timer's claim read it (so
 * that the event needs no read), and the claimed timer the commit completes.
 */
export interface DispatchExtras {
  readonly stored?: StoredChat | null;
  readonly completesTimer?: { readonly id: string; readonly leaseToken: string };
}

/** A dispatch's result inside the engine: whether the commit completed the timer it was asked to. */
export interface InternalDispatchResult extends DispatchResult {
  readonly timerCompleted?: boolean;
}

/** A dispatch that was committed, with what listeners need to hear about it. */
export interface CommittedDispatch {
  readonly key: ChatKey;
  readonly event: LifecycleEvent;
  readonly from: ChatState | null;
  readonly before: LifecycleSnapshot | null;
  readonly after: LifecycleSnapshot;
  readonly version: number;
  readonly notices: readonly Notice[];
  readonly effectCount: number;
}

export interface DispatcherDeps {
  readonly machine: LifecycleMachine;
  readonly store: Store;
  readonly counters: RoutingCounters;
  readonly router: Router | undefined;
  readonly clock: Clock;
  readonly defaults: StepDefaults;
  readonly policy: MessageRoutingPolicy;
  readonly maxCommitAttempts: number;
  /** This worker's copies of the chats it committed, so that their next event needs no `load`. */
  readonly cache: ChatCache;
  readonly onCommitted: (committed: CommittedDispatch) => void;
  /** Migrations of older stored chats, by the schema version they start from. */
  readonly migrations?: ReadonlyMap<number, SnapshotMigration>;
  /** Marks the plan steps an event would start that cannot succeed now (working hours, availability). */
  readonly stepAvailability?: StepAvailability;
}

/** A chat as the dispatcher read it: from this worker's cache, or from the store. */
interface ReadChat {
  readonly version: number;
  readonly summary: ChatSummary;
  readonly snapshot: LifecycleSnapshot;
}

/**
 * Applies one validated event to its chat: read (this worker's cache, else the store), pure
 * transition, atomic commit guarded by the version, then report. On a conflict it retries on
 * the chat the store answered with the conflict (`readOnConflict`), else on a fresh load. The
 * dedupe check is the store's, inside the same commit. With a warm cache and no conflict, an
 * event costs the store one call.
 */
export function createDispatcher(
  deps: DispatcherDeps,
): (event: LifecycleEvent, extras?: DispatchExtras) => Promise<InternalDispatchResult> {
  const { machine, store, clock, cache } = deps;
  const transition = createPureTransition(machine);

  async function resolvePlan(event: TransferRequestEvent, key: ChatKey): Promise<PlanStep[]> {
    if (event.plan) return event.plan;
    if (event.target) {
      return [
        {
          target: event.target,
          leave: event.leave ?? deps.defaults.leave,
          confirmationTimeoutMs: event.confirmationTimeoutMs ?? deps.defaults.confirmationTimeoutMs,
        },
      ];
    }
    if (!deps.router) {
      throw new BatonError('NO_ROUTE', 'The transfer request names no target and the engine has no router', {
        context: { portal: key.portal, chatId: key.chatId, eventId: event.id },
      });
    }
    const plan = await deps.router.resolve(
      { key, event },
      { counters: deps.counters, defaults: deps.defaults },
    );
    // A router is the user's code: what it returns is checked like any other input.
    const parsed = routedPlanSchema.safeParse(plan);
    if (parsed.success) return parsed.data;
    if (Array.isArray(plan) && plan.length === 0) {
      throw new BatonError('NO_ROUTE', 'The router returned an empty plan', {
        context: { portal: key.portal, chatId: key.chatId, eventId: event.id },
      });
    }
    throw invalidInput('plan from the router', parsed.error, {
      portal: key.portal,
      chatId: key.chatId,
      eventId: event.id,
    });
  }

  function restore(stored: StoredChat | undefined, key: ChatKey): LifecycleSnapshot {
    if (stored) return restoreSnapshot(machine, stored.snapshot, key, deps.migrations);
    return transition.initial(key);
  }

  /** A stored chat, validated and migrated into a snapshot (`CORRUPT_SNAPSHOT` when it cannot be). */
  function fromStored(stored: StoredChat | undefined, key: ChatKey): ReadChat | undefined {
    if (!stored) return undefined;
    return { version: stored.version, summary: stored.summary, snapshot: restore(stored, key) };
  }

  async function readStored(key: ChatKey): Promise<ReadChat | undefined> {
    return fromStored(await store.load(key), key);
  }

  /** The transition of `event` from `before`, committed with its busy claim (holder and limit). */
  async function commitTransition(
    stored: ReadChat | undefined,
    before: LifecycleSnapshot,
    machineEvent: MachineEvent,
    completesTimer: DispatchExtras['completesTimer'],
  ) {
    const key: ChatKey = { portal: machineEvent.portal, chatId: machineEvent.chatId };
    const [after, actions] = transition(before, machineEvent);
    const instructions = readInstructions(actions);
    const to = stateOf(after);
    const persisted = persistSnapshot(after);
    const { holder, maxChats } = busyClaim(stored ? before : null, after);
    const summary: ChatSummary = {
      state: to,
      stateSince: stored && stored.summary.state === to ? stored.summary.stateSince : clock.now(),
      ...(holder === undefined ? {} : { holder }),
    };
    const result = await store.commit(
      {
        key,
        expectedVersion: stored?.version ?? 0,
        snapshot: persisted,
        summary,
        eventId: machineEvent.id,
        effects: instructions.effects.map((effect) => ({ id: effect.id, key, call: effect.call })),
        timersToSet: instructions.schedules.map((timer) => ({ id: timer.id, key, delayMs: timer.delayMs })),
        timersToCancel: instructions.cancels,
        note: historyNote(machineEvent, before.context, after.context),
        ...(completesTimer === undefined ? {} : { completesTimer }),
        ...(maxChats === undefined ? {} : { maxChats }),
      },
      { readOnConflict: true },
    );
    return { result, after, actions, instructions, summary };
  }

  /**
   * The chat a timer's claim read, when it is newer than this worker's copy; `null` (read as
   * usual) otherwise.
   */
  function claimedChat(key: ChatKey, claimed: StoredChat | null | undefined): StoredChat | undefined | null {
    if (claimed === undefined) return null;
    const cached = cache.get(key);
    if (cached !== undefined && cached.version >= (claimed?.version ?? 0)) return null;
    return claimed ?? undefined;
  }

  return async function dispatch(
    event: LifecycleEvent,
    extras?: DispatchExtras,
  ): Promise<InternalDispatchResult> {
    const key: ChatKey = { portal: event.portal, chatId: event.chatId };
    try {
      return await dispatchTo(key, event, extras);
    } catch (error) {
      // Whatever failed (a lost reply, a corrupt chat, the user's router), read afresh next time.
      cache.forget(key);
      throw error;
    }
  };

  async function dispatchTo(
    key: ChatKey,
    event: LifecycleEvent,
    extras: DispatchExtras | undefined,
  ): Promise<InternalDispatchResult> {
    let plan: PlanStep[] | undefined;
    // What the last conflict answered: the chat as it is now (`undefined`: no record), or `null`
    // when the store did not say and the chat must be read. A timer's claim may have read it.
    let answered: StoredChat | undefined | null = claimedChat(key, extras?.stored);
    for (let attempt = 1; attempt <= deps.maxCommitAttempts; attempt += 1) {
      const cached = answered === null ? cache.get(key) : undefined;
      const stored = cached ?? (answered === null ? await readStored(key) : fromStored(answered, key));
      answered = null;
      const before = stored?.snapshot ?? restore(undefined, key);
      const from = stored ? stateOf(before) : null;
      let machineEvent: MachineEvent;
      if (event.type === 'transfer.request') {
        // Only a chat the bot holds can be handed over; don't spend a rotation on a request the machine ignores.
        // Resolved once, and only if needed; an ignored request after a conflict may apply on retry.
        if (plan === undefined && stateOf(before) === 'bot') plan = await resolvePlan(event, key);
        machineEvent = { ...event, plan: plan ?? [] };
      } else {
        machineEvent = event;
      }
      if (deps.stepAvailability) machineEvent = await deps.stepAvailability(machineEvent, before);
      // A user already at capacity refuses the commit that offers them the chat: that step is
      // skipped (`at-capacity`) and the same event applied again, each time with one more step skipped.
      let outcome = await commitTransition(stored, before, machineEvent, extras?.completesTimer);
      for (let refusals = 1; outcome.result.status === 'atCapacity'; refusals += 1) {
        const step = outcome.after.context.step;
        if (refusals > outcome.after.context.plan.length || machineEvent.unavailable?.[step] !== undefined) {
          // Only a store that breaks the commit contract gets here (a refusal without a new holder's limit).
          throw new BatonError('STORE_FAILURE', `The store refused plan step ${step} for capacity twice`, {
            context: { portal: key.portal, chatId: key.chatId, eventId: event.id },
          });
        }
        machineEvent = {
          ...machineEvent,
          unavailable: { ...machineEvent.unavailable, [step]: 'at-capacity' },
        };
        outcome = await commitTransition(stored, before, machineEvent, extras?.completesTimer);
      }
      const { result, after, instructions, actions, summary } = outcome;
      const to = stateOf(after);
      if (result.status === 'duplicate') {
        // The store checks for a duplicate before the version, so a cached copy may be stale
        // here (an earlier run of this very event, its reply lost, may have moved the chat on):
        // forget it, and report the chat as the store has it.
        cache.forget(key);
        const now = cached === undefined ? stored : await readStored(key);
        return {
          status: 'duplicate',
          route: 'none',
          state: now ? stateOf(now.snapshot) : stateOf(before),
          version: now?.version ?? 0,
          changed: false,
        };
      }
      if (result.status === 'committed') {
        cache.put(key, { version: result.version, snapshot: after, summary } satisfies CachedChat);
        deps.onCommitted({
          key,
          event,
          from,
          before: stored ? before : null,
          after,
          version: result.version,
          notices: instructions.notices,
          effectCount: instructions.effects.length,
        });
        const changed =
          from !== to ||
          actions.length > 0 ||
          // XState keeps the context object when no assignment ran; compare contents only otherwise.
          (after.context !== before.context &&
            JSON.stringify(after.context) !== JSON.stringify(before.context));
        return {
          status: 'applied',
          route: routeMessage(event, to, after.context, deps.policy),
          state: to,
          version: result.version,
          changed,
          ...(result.timerCompleted === undefined ? {} : { timerCompleted: result.timerCompleted }),
        };
      }
      // A conflict: this worker's copy (if it was one) is stale.
      cache.forget(key, stored?.version ?? 0);
      if (attempt > 3) {
        // Under heavy contention the answered chat is stale by the time a paused retry runs.
        await sleep(Math.min(50, attempt * 2) * Math.random());
      } else if (result.status === 'conflict' && result.current !== undefined) {
        answered = result.current ?? undefined;
      }
    }
    throw new BatonError(
      'CONFLICT_RETRIES_EXHAUSTED',
      `The chat kept changing; gave up after ${deps.maxCommitAttempts} attempts`,
      {
        context: { portal: key.portal, chatId: key.chatId, eventId: event.id },
      },
    );
  }
}
