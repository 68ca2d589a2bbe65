// @baton/core/adapter: what a package implementing the contracts (a store, a transport, a rate
// limiter) needs beyond the main entry: the one error shape, the one zod formatter and
// parse-or-throw, the one wait for a rate-limit grant and abortable sleep, and the schemas that
// validate what crosses a contract. Every export is named here.

export { chatIdSchema, chatKeySchema, formatChatKey, portalIdSchema } from './chat-key.js';
export {
  chatSummarySchema,
  commitOptionsSchema,
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
} from './contracts/effects.js';
export type { Lock } from './contracts/lock.js';
export {
  describeError,
  errorCode,
  type LogMethod,
  loggerSchema,
  maxMessageLength,
  safeLog,
  truncateMessage,
} from './contracts/logger.js';
export type { RateDecision } from './contracts/rate-limiter.js';
export type { BusyCorrection, BusyRepairReport, RoutingCounters } from './contracts/routing-counters.js';
export type { ClaimTimersOptions, OnWork, Scheduler, WorkHint } from './contracts/scheduler.js';
export type {
  ChatSummary,
  ClaimEffectsOptions,
  Commit,
  CommitNote,
  CommitOptions,
  CommitResult,
  StoredChat,
} from './contracts/store.js';
export {
  batonChannels,
  type ClaimMessage,
  type CommitMessage,
  type CommittedFailure,
  type CommittedMessage,
  type DispatchMessage,
  type EffectMessage,
  type ErrorMessage,
  type HttpRequestMessage,
  isObserved,
  publish,
  type RateLimitWaitMessage,
  type TimersMessage,
  traced,
} from './diagnostics/channels.js';
export { CodedError, type CodedErrorOptions, isCodedError } from './errors/coded-error.js';
export {
  describeZodIssues,
  parseOrThrow,
  type ValidationFailure,
  validationFailure,
} from './errors/validation.js';
export { batonEventSchema, planStepSchema, transferTargetSchema } from './events.js';
export type { ChatListFilter, ChatListing, StoreBacklog, StoreInspection } from './memory/inspection.js';
export { backoffDelayMs } from './rate-limit/backoff.js';
export { sleep } from './rate-limit/sleep.js';
export { type GrantOutcome, type GrantWait, waitForGrant } from './rate-limit/wait-for-grant.js';
export type { RateLimitedTransport, WithRateLimitOptions } from './rate-limit/with-rate-limit.js';
