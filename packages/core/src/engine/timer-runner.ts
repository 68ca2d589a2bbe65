import type { Scheduler } from '../contracts/scheduler.js';
import type { InternalEvent } from '../events.js';
import type { DispatchResult } from './dispatcher.js';
import type { EngineErrorContext, TimerFiredPayload } from './engine-events.js';
import type { UnreadableTimers } from './unreadable-timers.js';

export interface TimerRunnerDeps {
  readonly scheduler: Scheduler;
  readonly batchSize: number;
  readonly visibilityMs: number;
  readonly feedBack: (event: InternalEvent) => Promise<DispatchResult>;
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
  await Promise.all(
    due.map(async (timer) => {
      if (deps.unreadable?.backingOff(timer)) return;
      try {
        const result = await deps.feedBack({
          type: 'timer.fired',
          id: `fired:${timer.id}`,
          portal: timer.key.portal,
          chatId: timer.key.chatId,
          timerId: timer.id,
        });
        await deps.scheduler.completeTimer(timer);
        deps.unreadable?.succeeded(timer);
        if (result.status === 'applied')
          deps.onFired({ key: timer.key, timerId: timer.id, stale: !result.changed });
      } catch (error) {
        deps.reportError(error, { stage: 'timers', key: timer.key });
        await deps.unreadable
          ?.failed(timer, error)
          .catch((parkError: unknown) => deps.reportError(parkError, { stage: 'timers', key: timer.key }));
      }
    }),
  );
  return due.length;
}
