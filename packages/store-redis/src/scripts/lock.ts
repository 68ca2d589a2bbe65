import { storeNowLua } from './time.js';

/**
 * `batonLockAcquire` (1 key): takes a lock that is free or expired. Expiry is checked against
 * the store's time (so an injected clock works); the key's own TTL only collects garbage.
 *
 *   KEYS[1] the lock hash (token, until)
 *   ARGV[1] now override ('' = Redis TIME), ARGV[2] token, ARGV[3] ttl (ms), ARGV[4] key TTL (ms)
 *
 * Returns 1 acquired, 0 held by another.
 */
export const lockAcquireLua = `${storeNowLua}
local now = storeNow(ARGV[1])
local heldUntil = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if heldUntil > now then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[2], 'until', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
`;

/**
 * `batonLockExtend` (1 key): extends a lock still held with this token.
 *
 *   KEYS[1] the lock hash
 *   ARGV[1] now override, ARGV[2] token, ARGV[3] ttl (ms), ARGV[4] key TTL (ms)
 *
 * Returns 1 extended, 0 lost (expired, or taken by another).
 */
export const lockExtendLua = `${storeNowLua}
local now = storeNow(ARGV[1])
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'until') or '0') <= now then return 0 end
redis.call('HSET', KEYS[1], 'until', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
`;

/**
 * `batonLockRelease` (1 key): releases a lock still held with this token.
 *
 *   KEYS[1] the lock hash
 *   ARGV[1] now override, ARGV[2] token
 *
 * Returns 1 released, 0 not held with this token.
 */
export const lockReleaseLua = `${storeNowLua}
local now = storeNow(ARGV[1])
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
local held = tonumber(redis.call('HGET', KEYS[1], 'until') or '0') > now
redis.call('DEL', KEYS[1])
if held then return 1 end
return 0
`;
