import { methodError } from '../http/platform-error.js';
import { formatPlatformDate } from '../platform-date.js';
import { intval, type MethodHandler } from './context.js';

/**
 * `timeman.status` (`USER_ID`, by default the caller): the user's workday. Only `STATUS` varies
 * here (`OPENED`, `CLOSED`, `PAUSED`, `EXPIRED`, set with `portal.setWorkday`); the rest has the
 * platform's shape. An unknown user is 400 with an empty code, `User not found`.
 */
export const timemanStatus: MethodHandler = (context) => {
  const userId = intval(context.upper.USER_ID) || context.caller.userId;
  const user = context.portal.users.get(userId);
  if (user === undefined) throw methodError('', 'User not found');
  const status = user.workday ?? 'CLOSED';
  const dayStart = context.nowMs - (context.nowMs % 86_400_000) + 8 * 3_600_000;
  return {
    STATUS: status,
    TIME_START: status === 'CLOSED' ? null : formatPlatformDate(dayStart, context.runtime.utcOffset),
    TIME_FINISH: null,
    DURATION: '00:00:00',
    TIME_LEAKS: '00:00:00',
    ACTIVE: status === 'OPENED',
    IP_OPEN: '',
    IP_CLOSE: '',
    LAT_OPEN: 0,
    LON_OPEN: 0,
    LAT_CLOSE: 0,
    LON_CLOSE: 0,
    TZ_OFFSET: 0,
  };
};
