import { storeNowLua } from './time.js';

/**
 * `batonRateAcquire` (1 key): GCRA, the leaky bucket as one number. The bucket keeps its
 * theoretical arrival time (TAT); a request adds one emission interval; it is refused when that
 * would put the TAT more than `burst` intervals ahead of now. Time is Redis' own, so every
 * worker sees one bucket.
 *
 *   KEYS[1] the portal's bucket
 *   ARGV[1] now override ('' = Redis TIME), ARGV[2] emission interval (ms, may be fractional),
 *   ARGV[3] burst
 *
 * Returns {1, 0} granted, {0, retryAfterMs} refused.
 */
export const rateAcquireLua = `${storeNowLua}
local now = storeNow(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + interval
local excess = nextTat - now - burst * interval
if excess > 0 then
  return {0, math.ceil(excess)}
end
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now) + 60000)
return {1, 0}
`;

/**
 * `batonRatePenalize` (1 key): the platform said QUERY_LIMIT_EXCEEDED: move the portal's TAT so
 * that nothing is granted for `backoff` ms, for every worker, then one request at a time.
 *
 *   KEYS[1] the portal's bucket
 *   ARGV[1] now override ('' = Redis TIME), ARGV[2] emission interval (ms), ARGV[3] burst,
 *   ARGV[4] backoff (ms)
 *
 * Returns 1.
 */
export const ratePenalizeLua = `${storeNowLua}
local now = storeNow(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local pushed = now + tonumber(ARGV[4]) + (burst - 1) * interval
if pushed > tat then tat = pushed end
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 60000)
return 1
`;
