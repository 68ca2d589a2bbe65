import type { Clock } from '../contracts/clock.js';
import type { ClaimedTimer } from '../contracts/effects.js';
import type { Scheduler } from '../contracts/scheduler.js';
import { isBatonError } from '../errors.js';
import { backoffDelayMs } from '../rate-limit/backoff.js';

/** How the engine treats a timer whose chat cannot be read back. */
export interface UnreadableTimerOptions {
  /** Attempts (in this worker) before a corrupt chat's timer is parked. @defaultValue `5` */
  readonly maxAttempts?: number;
  /** Wait after the first failed attempt; doubles with every attempt. @defaultValue `30_000` */
  readonly baseDelayMs?: number;
  /** Upper bound of that wait. @defaultValue `600_000` */
  readonly maxDelayMs?: number;
}

/** A timer that was given up: its chat stays unreadable until `resetChat`. */
export interface TimerParkedPayload {
  readonly key: ClaimedTimer['key'];
  readonly timerId: string;
  readonly attempts: number;
  readonly code: string;
}

interface Deps {
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly options: UnreadableTimerOptions | undefined;
  readonly onParked: (payload: TimerParkedPayload) => void;
}

const slotOf = (timer: Pick<ClaimedTimer, 'id' | 'key'>) =>
  `${timer.key.portal}\u0000${timer.key.chatId}\u0000${timer.id}`;

/**
 * Keeps a timer of an unreadable chat from spinning: each failed attempt pushes the next one back
 * (exponentially, on the engine's clock); a claim that comes earlier is left alone (the store
 * makes it visible again later). A corrupt chat's timer is parked after `maxAttempts`: removed
 * and reported, as nothing but `resetChat` can make the chat readable. A chat of a newer schema
 * version is backed off the same way but never parked: a newer worker reads it.
 *
 * The count is this worker's own; with N workers a timer is tried at most N × `maxAttempts` times.
 */
export function createUnreadableTimers(deps: Deps) {
  const maxAttempts = deps.options?.maxAttempts ?? 5;
  const baseDelayMs = deps.options?.baseDelayMs ?? 30_000;
  const maxDelayMs = deps.options?.maxDelayMs ?? 600_000;
  const failures = new Map<string, { attempts: number; notBefore: number }>();

  return {
    /** Whether this claim falls in the timer's backoff: then it is not fed to its chat now. */
    backingOff(timer: ClaimedTimer): boolean {
      const failure = failures.get(slotOf(timer));
      return failure !== undefined && deps.clock.now() < failure.notBefore;
    },
    succeeded(timer: ClaimedTimer): void {
      failures.delete(slotOf(timer));
    },
    /** Handles a failed attempt; `false` when the failure is not about reading the chat. */
    async failed(timer: ClaimedTimer, error: unknown): Promise<boolean> {
      const corrupt = isBatonError(error, 'CORRUPT_SNAPSHOT');
      if (!corrupt && !isBatonError(error, 'SNAPSHOT_FROM_NEWER_VERSION')) return false;
      const slot = slotOf(timer);
      const attempts = (failures.get(slot)?.attempts ?? 0) + 1;
      if (corrupt && attempts >= maxAttempts) {
        failures.delete(slot);
        await deps.scheduler.completeTimer(timer);
        deps.onParked({ key: timer.key, timerId: timer.id, attempts, code: error.code });
        return true;
      }
      // Prune so that a long-lived worker does not keep every timer it ever saw fail.
      if (failures.size >= 10_000) failures.delete(failures.keys().next().value ?? '');
      failures.set(slot, {
        attempts,
        notBefore: deps.clock.now() + backoffDelayMs(baseDelayMs, maxDelayMs, attempts),
      });
      return true;
    },
  };
}

export type UnreadableTimers = ReturnType<typeof createUnreadableTimers>;
