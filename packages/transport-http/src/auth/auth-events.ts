import type { BitrixError } from '../errors.js';

/**
 * What the transport tells the operator about a portal's OAuth access, through the
 * `onAuthEvent` option. Never carries a token.
 */
export type AuthEvent =
  /**
   * The portal's refresh token is spent and this deployment holds no newer one: calls fail with
   * `REFRESH_TOKEN_SPENT` until the next inbound event of the portal (whose token pair the
   * event handler stores) or a reinstall of the app. Told by the process whose refresh the
   * token endpoint refused, once per refresh token.
   */
  | {
      readonly type: 'auth.lost';
      readonly portal: string;
      /**
       * `unfinished-refresh`: a refresh of this token was sent by a process of this deployment and
       * its result never reached the store (a lost answer, a killed worker, a failed write).
       * `spent-elsewhere`: no process sharing this token store sent it: another deployment with its
       * own store, or a reinstall, used it. Give every deployment of an app one shared store.
       */
      readonly reason: 'unfinished-refresh' | 'spent-elsewhere';
      readonly error: BitrixError;
    }
  /**
   * Rotated tokens could not be written to the token store. The transport keeps them in memory,
   * uses them for its own calls and keeps retrying the write; other processes cannot see them
   * until a write succeeds.
   */
  | {
      readonly type: 'auth.store-failed';
      readonly portal: string;
      /** Failed writes of these tokens so far. */
      readonly attempt: number;
      readonly error: unknown;
    };

/** Receives `AuthEvent`s; must not throw (an exception is swallowed). */
export type AuthEventListener = (event: AuthEvent) => void;

/** Calls `listener` with `event`, never letting it break the caller. */
export function emitAuthEvent(listener: AuthEventListener | undefined, event: AuthEvent): void {
  try {
    listener?.(event);
  } catch {
    // A listener's failure must not turn into a failed call.
  }
}
