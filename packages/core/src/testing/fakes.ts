/**
 * The test doubles of `@baton/core/testing` without its conformance suites, so that they load
 * without vitest (`@baton/core/fakes`): a scripted transport and a clock that moves when told.
 */
export type {
  FakeAnswer,
  FakeCall,
  FakeMethod,
  FakeRequests,
  FakeTransport,
  FakeTransportOptions,
  FakeValues,
} from './fake-transport.js';
export { createFakeTransport, transportFailure, transportSuccess } from './fake-transport.js';
export type { ManualClock } from './manual-clock.js';
export { createManualClock } from './manual-clock.js';
