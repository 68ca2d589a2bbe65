import { describe } from 'vitest';
import { availabilityScenarios } from './engine/availability-scenarios.js';
import { busyCountScenarios } from './engine/busy-count-scenarios.js';
import { concurrencyScenarios } from './engine/concurrency-scenarios.js';
import { edgeScenarios } from './engine/edge-scenarios.js';
import { failureScenarios } from './engine/failure-scenarios.js';
import type { EngineStore } from './engine/fixture.js';
import { lifecycleScenarios } from './engine/lifecycle-scenarios.js';
import { platformStreamScenarios } from './engine/platform-stream-scenarios.js';
import { upgradeScenarios } from './engine/upgrade-scenarios.js';
import { waitingRoomScenarios } from './engine/waiting-room-scenarios.js';
import type { ConformanceHarness } from './harness.js';

export type { EngineFixture, EngineStore, EventFactory } from './engine/fixture.js';
export { createEngineFixture, toQueue, toUser, useEngineFixture } from './engine/fixture.js';

/**
 * The engine's own scenarios — every lifecycle transition, deadlines, skips, platform errors,
 * duplicates, invalid input, concurrency and routing — run on the store the harness creates.
 * A store that backs engines in production must pass it.
 *
 * @example
 * ```ts
 * engineConformanceSuite('redis store', {
 *   create: async ({ clock }) => createRedisStore({ url, prefix: `t-${randomUUID()}`, clock }),
 *   destroy: (store) => store.close(),
 * });
 * ```
 */
export function engineConformanceSuite(label: string, harness: ConformanceHarness<EngineStore>): void {
  describe(`engine conformance: ${label}`, () => {
    lifecycleScenarios(harness);
    failureScenarios(harness);
    concurrencyScenarios(harness);
    edgeScenarios(harness);
    platformStreamScenarios(harness);
    upgradeScenarios(harness);
    availabilityScenarios(harness);
    busyCountScenarios(harness);
    waitingRoomScenarios(harness);
  });
}
