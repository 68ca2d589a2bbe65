export type { ChatKey } from './chat-key.js';
export { chatIdSchema, chatKeySchema, formatChatKey, portalIdSchema } from './chat-key.js';
export type { Clock } from './contracts/clock.js';
export { systemClock } from './contracts/clock.js';
export {
  chatSummarySchema,
  commitSchema,
  commitSchemaWith,
  effectCallSchema,
} from './contracts/commit-schema.js';
export type {
  ClaimedEffect,
  ClaimedTimer,
  EffectCall,
  EffectEntry,
  EffectKind,
  TimerEntry,
  TransferTarget,
} from './contracts/effects.js';
export type { Lock, LockManager } from './contracts/lock.js';
export type { RateDecision, RateLimit, RateLimiter } from './contracts/rate-limiter.js';
export { defaultRateLimit, withHeadroom } from './contracts/rate-limiter.js';
export type { RoutingCounters } from './contracts/routing-counters.js';
export type { ClaimTimersOptions, Scheduler } from './contracts/scheduler.js';
export type {
  ChatSummary,
  ClaimEffectsOptions,
  Commit,
  CommitResult,
  Store,
  StoredChat,
} from './contracts/store.js';
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
export * from './engine/index.js';
export { CodedError, type CodedErrorOptions, isCodedError } from './errors/coded-error.js';
export {
  describeZodIssues,
  parseOrThrow,
  type ValidationFailure,
  validationFailure,
} from './errors/validation.js';
export type { BatonErrorCode, BatonErrorContext } from './errors.js';
export { BatonError, invalidInput, isBatonError } from './errors.js';
export type {
  AuthorKind,
  BatonEvent,
  BatonEventInput,
  BotJoinedEvent,
  BotRemovedEvent,
  EffectResultEvent,
  InternalEvent,
  LifecycleEvent,
  LifecycleEventInput,
  MessageEvent,
  OperatorAnsweredEvent,
  OperatorSkippedEvent,
  PlanStep,
  SessionFinishedEvent,
  TimerFiredEvent,
  TransferRequestEvent,
} from './events.js';
export {
  authorKindSchema,
  batonEventSchema,
  botJoinedEventSchema,
  internalEventSchema,
  leaveSchema,
  lifecycleEventSchema,
  messageEventSchema,
  planStepSchema,
  transferTargetSchema,
} from './events.js';
export * from './machine/index.js';
export * from './memory/index.js';
export { sleep } from './rate-limit/sleep.js';
export { type GrantOutcome, type GrantWait, waitForGrant } from './rate-limit/wait-for-grant.js';
export {
  type RateLimitedTransport,
  type WithRateLimitOptions,
  withRateLimit,
} from './rate-limit/with-rate-limit.js';
export * from './routing/index.js';
