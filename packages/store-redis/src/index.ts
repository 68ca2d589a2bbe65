export type { BusyRepairOptions } from './busy-repair.js';
export { recommendedClientOptions } from './connection.js';
export type {
  RedisStoreErrorCode,
  RedisStoreErrorContext,
} from './errors.js';
export { isRedisStoreError, RedisStoreError } from './errors.js';
export type { ChatDetails, HistoryEntry } from './inspection.js';
export { encodeKeyPart } from './keys.js';
export type { RedisLockManagerOptions } from './lock-manager.js';
export { createRedisLockManager } from './lock-manager.js';
export type { RedisConnectionOptions } from './options.js';
export type { RedisRateLimiterOptions } from './rate-limiter.js';
export { createRedisRateLimiter } from './rate-limiter.js';
export type { IndexRepairReport } from './repair.js';
export type { ScriptName } from './scripts/index.js';
export { scriptSources } from './scripts/index.js';
export type { RedisStore, RedisStoreOptions } from './store.js';
export { createRedisStore } from './store.js';
