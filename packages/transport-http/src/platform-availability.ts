import { type AvailabilitySource, workingHoursFromLineConfig } from '@baton/core';
import type { BitrixClient } from './rest/client.js';

/**
 * An `AvailabilitySource` that asks the portal: a line's working hours from
 * `imopenlines.config.get` (`WORKTIME_ENABLE`, `WORKTIME_FROM`/`TO`, `WORKTIME_TIMEZONE`,
 * `WORKTIME_DAYOFF`, `WORKTIME_HOLIDAYS`), and whether an operator is at work from
 * `timeman.status` (`STATUS` `OPENED`; `CLOSED`, `PAUSED` and `EXPIRED` are not) — what the
 * platform's own "check operator availability" line setting goes by. Needs the `imopenlines`
 * and `timeman` scopes. A failed call throws its `BitrixError`; the engine then tries the step
 * (it skips only on what is known) and reports the failure.
 *
 * @example
 * ```ts
 * const engine = createEngine({
 *   transport,
 *   availability: { source: createPlatformAvailability(transport.client), checkOperators: true },
 * });
 * ```
 */
export function createPlatformAvailability(client: BitrixClient): Required<AvailabilitySource> {
  return {
    async lineHours(portal, lineId) {
      const answer = await client.call(portal, 'imopenlines.config.get', {
        CONFIG_ID: lineId,
        WITH_QUEUE: 'N',
      });
      if (!answer.ok) throw answer.error;
      const config = answer.result;
      return typeof config === 'object' && config !== null
        ? workingHoursFromLineConfig(config as Record<string, unknown>)
        : null;
    },
    async isUserAvailable(portal, userId) {
      const answer = await client.call(portal, 'timeman.status', { USER_ID: userId });
      if (!answer.ok) throw answer.error;
      const status = (answer.result as { STATUS?: unknown } | null)?.STATUS;
      return status === 'OPENED';
    },
  };
}
