import type { OnWork, Scheduler, WorkHint } from '../contracts/scheduler.js';
import type { Store } from '../contracts/store.js';

/**
 * The longest an idle worker goes without looking for work when its store sends hints: the bound
 * on how late work is found whose hint was lost (pub/sub delivers at most once).
 */
export const maxIdleSweepMs = 5_000;

/**
 * Work hints from the store (outbox entries, and timers when the store is also the scheduler)
 * and from a separate scheduler (timers). `undefined` when the outbox or the timers have no
 * source of hints: then both loops keep polling every `pollIntervalMs`.
 */
export function listenForWork(store: Store, scheduler: Scheduler | undefined): OnWork | undefined {
  const storeHints = store.onWork;
  if (storeHints === undefined) return undefined;
  const sameSource = scheduler === undefined || (scheduler as object) === store;
  if (sameSource) return (listener) => storeHints.call(store, listener);
  const schedulerHints = scheduler.onWork;
  if (schedulerHints === undefined) return undefined;
  return (listener: (hint: WorkHint) => void) => {
    const stopOutbox = storeHints.call(store, (hint) => {
      if (hint.kind === 'outbox') listener(hint);
    });
    const stopTimers = schedulerHints.call(scheduler, (hint) => {
      if (hint.kind === 'timers') listener(hint);
    });
    return () => {
      stopOutbox();
      stopTimers();
    };
  };
}
