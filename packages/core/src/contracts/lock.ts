/** A held lock. Its token fences every later operation on it. */
export interface Lock {
  readonly name: string;
  readonly token: string;
  /** Extends the lease. Returns `false`, changing nothing, once the lease has expired (whether or not another holder took it). */
  extend(ttlMs: number): Promise<boolean>;
  /** Releases the lock if it is still held with this token. Returns whether it was. */
  release(): Promise<boolean>;
}

/**
 * Named, expiring, fenced locks shared by every worker of a deployment: one token refresh per
 * portal at a time, one fetch-mode poller per bot.
 *
 * Deliberately left out: waiting. `tryAcquire` answers at once; callers poll or back off.
 */
export interface LockManager {
  /** Takes the lock if it is free (or expired), for `ttlMs`. */
  tryAcquire(name: string, ttlMs: number): Promise<Lock | undefined>;
  /** Releases what the lock manager opened. Idempotent. */
  close(): Promise<void>;
}
