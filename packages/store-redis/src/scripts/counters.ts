/**
 * `batonAdjustBusy` (1 key): adds a delta to an operator's busy count, never below 0.
 *
 *   KEYS[1] the portal's busy hash
 *   ARGV[1] operator id, ARGV[2] delta
 *
 * Returns the new count.
 */
export const adjustBusyLua = `
local count = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') + tonumber(ARGV[2])
if count < 0 then count = 0 end
redis.call('HSET', KEYS[1], ARGV[1], count)
return count
`;
