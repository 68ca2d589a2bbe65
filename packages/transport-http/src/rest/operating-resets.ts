import { BitrixError } from '../errors.js';

/** How many (portal, method) pairs are remembered; the oldest is forgotten first. */
const maxEntries = 10_000;

/**
 * Remembers, per portal and method, the latest `operating_reset_at` a successful answer
 * reported, so that a `429 OPERATION_TIME_LIMIT` (which says nothing about time) can wait until
 * the method unblocks instead of a fixed guess.
 */
export function createOperatingResets() {
  const resets = new Map<string, number>();
  const key = (portal: string, method: string) => `${portal}\u0000${method}`;

  return {
    /** Notes when `method` on `portal` regains budget, in ms since the epoch. */
    remember(portal: string, method: string, resetAtMs: number): void {
      const name = key(portal, method);
      resets.delete(name); // re-insert, so that the map's order is the order of use
      resets.set(name, resetAtMs);
      if (resets.size > maxEntries) {
        const oldest = resets.keys().next().value;
        if (oldest !== undefined) resets.delete(oldest);
      }
    },
    /**
     * An `OPERATION_TIME_LIMIT` without a wait of its own gets the remembered one (if it is
     * still ahead); any other error is returned as it is.
     */
    complete(error: BitrixError, now: number): BitrixError {
      if (error.code !== 'OPERATION_TIME_LIMIT' || error.context.retryAfterMs !== undefined) return error;
      if (error.context.portal === undefined || error.context.method === undefined) return error;
      const resetAtMs = resets.get(key(error.context.portal, error.context.method));
      if (resetAtMs === undefined || resetAtMs <= now) return error;
      return new BitrixError(
        error.code,
        error.message,
        {
          portal: error.context.portal,
          method: error.context.method,
          retryable: error.context.retryable,
          retryAfterMs: resetAtMs - now,
          ...(error.context.status === undefined ? {} : { status: error.context.status }),
        },
        error.cause,
      );
    },
  };
}
