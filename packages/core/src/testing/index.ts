export { dispatchInternal } from './dispatch-internal.js';
export type { EngineFixture, EngineStore, EventFactory } from './engine-suite.js';
export {
  createEngineFixture,
  engineConformanceSuite,
  toQueue,
  toUser,
  useEngineFixture,
} from './engine-suite.js';
export * from './fakes.js';
export type { ConformanceHarness, HarnessContext } from './harness.js';
export { lockManagerConformanceSuite } from './lock-manager-suite.js';
export { rateLimiterConformanceSuite } from './rate-limiter-suite.js';
export { routingCountersConformanceSuite } from './routing-counters-suite.js';
export { commitFor, effectFor, timerFor } from './store/fixtures.js';
export type { StoreSuiteOptions } from './store-suite.js';
export { storeConformanceSuite } from './store-suite.js';
export type { TransportHarness, TransportPlatform } from './transport-suite.js';
export { transportConformanceSuite } from './transport-suite.js';
