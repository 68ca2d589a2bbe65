export type { ChatListFilter, ChatListing, StoreBacklog, StoreInspection } from './inspection.js';
export type { MemoryLockManagerOptions } from './memory-lock-manager.js';
export { createMemoryLockManager } from './memory-lock-manager.js';
export type { MemoryRateLimiterOptions } from './memory-rate-limiter.js';
export { createMemoryRateLimiter, rateLimitSchema } from './memory-rate-limiter.js';
export type { MemoryStore, MemoryStoreOptions } from './memory-store.js';
export { createMemoryStore } from './memory-store.js';
