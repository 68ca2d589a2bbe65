import type { ClaimedTimer } from './effects.js';

/**
 * A store's word that work may be claimable soon: outbox entries or timers, in `inMs`
 * milliseconds (0: now). A hint only, which may come late or not at all: the engine still looks
 * now and then without one.
 */
export interface WorkHint {
  readonly kind: 'outbox' | 'timers';
  readonly inMs: number;
}

/** Calls `listener` with every work hint until the returned function is called. */
export type OnWork = (listener: (hint: WorkHint) => void) => () => void;

/** Options for claiming due timers. */
export interface ClaimTimersOptions {
  /** At most this many timers. */
  readonly limit: number;
  /** How long a claimed timer stays invisible to other workers before it may be claimed again. */
  readonly visibilityMs: number;
}

/**
 * Hands out durable timers once they are due. Timers are written by `Store.commit`, in the same
 * atomic write as the state that set them, so a scheduler always works on the store's data; the
 * memory store and the Redis store each implement both contracts.
 *
 * Deliberately left out: callbacks. A timer is data; the engine turns a claimed timer into a
 * `timer.fired` event and lets the chat's versioned commit decide whether it still matters.
 */
export interface Scheduler {
  /** Claims up to `limit` timers whose due time has passed (by the store's clock). */
  claimDueTimers(options: ClaimTimersOptions): Promise<ClaimedTimer[]>;
  /**
   * Removes a fired timer. Returns `false`, changing nothing, when the lease token is stale (the
   * timer was reclaimed by another worker) or the timer was cancelled or replaced meanwhile.
   */
  completeTimer(timer: Pick<ClaimedTimer, 'id' | 'key' | 'leaseToken'>): Promise<boolean>;
  /**
   * Optional: tells when timers (and, for a store, outbox entries) may become claimable, from
   * any worker's commits and this one's claims. With it an idle engine stops looking every
   * `pollIntervalMs` and looks when told, plus a slow sweep in case a hint was lost.
   */
  onWork?: OnWork;
  /** Releases what the scheduler opened. Idempotent. */
  close(): Promise<void>;
}
