// The public API of @baton/core: what an application needs to run the engine. Every export is
// named here. Tools for writing adapters (schemas, the error base, the grant wait) are in
// `@baton/core/adapter`; conformance suites and fakes in `@baton/core/testing`.

// Chats and events
export type { ChatKey } from './chat-key.js';
export { type Clock, systemClock } from './contracts/clock.js';
// The store contracts, and the in-memory implementations (one process)
export type { ClaimedEffect, ClaimedTimer, EffectCall, TransferTarget } from './contracts/effects.js';
export type { Lock, LockManager } from './contracts/lock.js';
// Logging
export type { Logger, LogMethod } from './contracts/logger.js';
export {
  defaultRateLimit,
  type RateDecision,
  type RateLimit,
  type RateLimiter,
  withHeadroom,
} from './contracts/rate-limiter.js';
export type { BusyCorrection, BusyRepairReport, RoutingCounters } from './contracts/routing-counters.js';
export type { Scheduler } from './contracts/scheduler.js';
export type { Commit, CommitResult, Store, StoredChat } from './contracts/store.js';
// The transport contract, and rate limiting (in the transport only)
export type {
  BotRemoval,
  CallOptions,
  DialogOwner,
  FailureKind,
  TransferRequest,
  Transport,
  TransportFailure,
  TransportResult,
} from './contracts/transport.js';
// The engine
export type { DispatchResult } from './engine/dispatcher.js';
export { type ChatView, createEngine, type Engine } from './engine/engine.js';
export { type ChatUnreadablePayload, type EngineEvents, engineEventNames } from './engine/engine-events.js';
export type { EngineOptions, WorkerOptions } from './engine/options.js';
export type { ChatResetPayload } from './engine/reset-chat.js';
export type { TimerParkedPayload, UnreadableTimerOptions } from './engine/unreadable-timers.js';
// Errors
export { BatonError, type BatonErrorCode, isBatonError } from './errors.js';
export type { AuthorKind, BatonEvent, BatonEventInput, PlanStep } from './events.js';
export type { ChatState } from './machine/context.js';
export type { Notice } from './machine/instructions.js';
export { createLifecycleMachine } from './machine/lifecycle-machine.js';
export type { LifecycleOptions } from './machine/options.js';
export {
  chatSchemaVersion,
  type PersistedChatData,
  type SnapshotMigration,
} from './machine/schema-version.js';
export { createMemoryLockManager } from './memory/memory-lock-manager.js';
export { createMemoryRateLimiter } from './memory/memory-rate-limiter.js';
export { createMemoryStore } from './memory/memory-store.js';
// Policies: working hours and availability
export type {
  AvailabilityOptions,
  AvailabilitySource,
  SkipReason,
} from './policies/availability.js';
export {
  type DayCode,
  isWithinWorkingHours,
  type WorkingHours,
  workingHoursFromLineConfig,
} from './policies/working-hours.js';
export { withRateLimit } from './rate-limit/with-rate-limit.js';
// Routing
export { createRouter } from './routing/router.js';
export { fallbackQueue, fixedTarget, leastBusy, roundRobin } from './routing/strategies.js';
export type { Router, RoutingStrategy } from './routing/types.js';
