import type { ClaimedTimer } from '../contracts/effects.js';
import type { Scheduler } from '../contracts/scheduler.js';
import type { InternalEvent } from '../events.js';
import type { DispatchExtras, InternalDispatchResult } from './dispatcher.js';
import type { EngineErrorContext, TimerFiredPayload } from './engine-events.js';
import { createInFlight } from './in-flight.js';
import type { UnreadableTimers } from './unreadable-timers.js';

export interface TimerRunnerDeps {
  readonly scheduler: Scheduler;
  readonly batchSize: number;
  readonly visibilityMs: number;
  readonly feedBack: (event: InternalEvent, extras?: DispatchExtras) => Promise<InternalDispatchResult>;
  /**
   * The scheduler is the store: the commit of a fired timer's event completes the timer (and the
   * claim may have read the chat), which saves a round trip each.
   */
  readonly completesInCommit?: boolean;
  readonly onFired: (payload: Omit<TimerFiredPayload, 'at'>) => void;
  readonly reportError: (error: unknown, context: EngineErrorContext) => void;
  /** Backs off, then parks, the timers of chats that cannot be read back. */
  readonly unreadable?: UnreadableTimers;
}

/**
 * Runs one round of due timers: each becomes a `timer.fired` event for its chat. The chat's
 * machine decides whether the timer still matters (a timer of a state already left changes
 * nothing); the event id is derived from the timer id, so a timer fires at most once per chat
 * even when two workers claim it after a lease expired.
 *
 * @returns how many timers were claimed.
 */
export async function runTimerRound(deps: TimerRunnerDeps): Promise<number> {
  const due = await deps.scheduler.claimDueTimers({ limit: deps.batchSize, visibilityMs: deps.visibilityMs });
  await Promise.all(due.map((timer) => fire(deps, timer)));
  return due.length;
}

async function fire(deps: TimerRunnerDeps, timer: ClaimedTimer): Promise<void> {
  if (deps.unreadable?.backingOff(timer)) return;
  try {
    const event: InternalEvent = {
      type: 'timer.fired',
      id: `fired:${timer.id}`,
      portal: timer.key.portal,
      chatId: timer.key.chatId,
      timerId: timer.id,
    };
    const result = await deps.feedBack(
      event,
      deps.completesInCommit
        ? {
            ...(timer.chat === undefined ? {} : { stored: timer.chat }),
            completesTimer: { id: timer.id, leaseToken: timer.leaseToken },
          }
        : undefined,
    );
    // A store that completed the timer in the commit said so; otherwise (a duplicate, a store
    // that does not) the timer is completed on its own.
    if (result.timerCompleted === undefined) await deps.scheduler.completeTimer(timer);
    deps.unreadable?.succeeded(timer);
    if (result.status === 'applied')
      deps.onFired({ key: timer.key, timerId: timer.id, stale: !result.changed });
  } catch (error) {
    deps.reportError(error, { stage: 'timers', key: timer.key });
    await deps.unreadable
      ?.failed(timer, error)
      .catch((parkError: unknown) => deps.reportError(parkError, { stage: 'timers', key: timer.key }));
  }
}

/** The background timer loop's rounds. */
export interface TimerRunner {
  /** Claims what there is room for and fires each without waiting for it; returns how many. */
  round(): Promise<number>;
}

/**
 * Pipelined timers: a round does not wait for the timers it fires, so the next claim overlaps
 * the fires in flight (at most `maxInFlight`; with less than a batch of room left, a round waits
 * for a fire to finish). The claim size doubles while claims come back full (a backlog), up to
 * `maxInFlight`, and falls back to `batchSize` once they do not: a burst of deadlines fires at
 * the dispatch rate instead of one small batch per chain of round trips.
 */
export function createTimerRunner(
  deps: TimerRunnerDeps & {
    readonly maxInFlight: number;
    readonly track: (work: Promise<void>) => Promise<void>;
  },
): TimerRunner {
  const inFlight = createInFlight(deps.track);
  let limit = deps.batchSize;
  return {
    async round() {
      // Claim in batches: with too little room, wait for fires to finish first, so that a full
      // pipeline does not turn into one claim (two round trips) per timer.
      if (inFlight.size > deps.maxInFlight - deps.batchSize) {
        await inFlight.oneFinished();
        return 1;
      }
      const asked = Math.min(limit, deps.maxInFlight - inFlight.size);
      const due = await deps.scheduler.claimDueTimers({ limit: asked, visibilityMs: deps.visibilityMs });
      limit = due.length >= asked ? Math.min(limit * 2, deps.maxInFlight) : deps.batchSize;
      for (const timer of due) inFlight.add(fire(deps, timer));
      return due.length;
    },
  };
}
