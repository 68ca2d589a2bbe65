import { formatPlatformDate } from '../platform-date.js';
import type { CallContext } from './context.js';

// Methods of the `basic` scope that clients (the official SDK among them) call on their own.

/** `server.time`: the portal's current time, `2026-03-18T09:07:22+03:00`. */
export function serverTime(context: CallContext): string {
  return formatPlatformDate(context.nowMs, context.runtime.utcOffset);
}

/** What `profile` answers: the calling user, `ID` as a string, `ADMIN` as a boolean. */
export interface ProfileResult {
  readonly ID: string;
  readonly ADMIN: boolean;
  readonly NAME: string;
  readonly LAST_NAME: string;
  readonly PERSONAL_GENDER: string;
  readonly TIME_ZONE: string;
  readonly TIME_ZONE_OFFSET: number;
}

/**
 * `profile`: the calling user (a webhook's user, an app's installer). `ADMIN` is true for the
 * portal's administrator only; `TIME_ZONE_OFFSET` (the user's offset from the portal's) is 0.
 */
export function profile(context: CallContext): ProfileResult {
  const user = context.portal.users.get(context.caller.userId);
  return {
    ID: String(context.caller.userId),
    ADMIN: user?.kind === 'admin',
    NAME: user?.name ?? '',
    LAST_NAME: '',
    PERSONAL_GENDER: '',
    TIME_ZONE: '',
    TIME_ZONE_OFFSET: 0,
  };
}
