import { storeNowLua } from './time.js';

/**
 * `batonIndexClaim` (1 key): takes up to `limit` due refs from one portal's outbox or timer index
 * and hides them for the lease, so that concurrent workers pick different candidates. The chat's
 * own record then decides whether the claim holds (`batonClaimEffect`, `batonClaimTimer`).
 *
 *   KEYS[1] the portal's index (outbox or timers)
 *   ARGV[1] now override ('' = Redis TIME), ARGV[2] limit, ARGV[3] lease (ms)
 *
 * Returns {now, leaseUntil, next, ref…}; `next` is the earliest score left in the index after
 * the claim (-1 when it is empty): when to look again.
 */
export const indexClaimLua = `${storeNowLua}
local now = storeNow(ARGV[1])
local leaseUntil = now + tonumber(ARGV[3])
local refs = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, ref in ipairs(refs) do
  redis.call('ZADD', KEYS[1], leaseUntil, ref)
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local next = -1
if first[2] then next = tonumber(first[2]) end
local out = {now, leaseUntil, next}
for _, ref in ipairs(refs) do out[#out + 1] = ref end
return out
`;

/**
 * `batonIndexFix` (1 key): corrects refs after the chats' records were consulted, each only if
 * it still carries the score this worker gave it (otherwise someone else has touched it since).
 *
 *   KEYS[1] a portal's index (outbox, timers or states)
 *   ARGV: triples (ref, expected score, new score or -1 to remove)
 *
 * Returns the number of refs changed.
 */
export const indexFixLua = `
local changed = 0
for i = 1, #ARGV, 3 do
  local ref = ARGV[i]
  local current = redis.call('ZSCORE', KEYS[1], ref)
  if current and tonumber(current) == tonumber(ARGV[i + 1]) then
    local score = tonumber(ARGV[i + 2])
    if score < 0 then redis.call('ZREM', KEYS[1], ref) else redis.call('ZADD', KEYS[1], score, ref) end
    changed = changed + 1
  end
end
return changed
`;

/**
 * `batonIndexRepair` (1 key): puts refs back into a portal's outbox or timer index from the chats' own records. A
 * missing ref is added with the record's score; a ref already there is only ever moved earlier
 * (never later: a reservation, lease or settle newer than the record that was read stands, and
 * an early ref only makes a claim look, find the record not claimable yet and put it back).
 *
 *   KEYS[1] the portal's index (outbox or timers)
 *   ARGV: pairs (ref, score from the chat's record)
 *
 * Returns {added, moved earlier}.
 */
export const indexRepairLua = `
local added, moved = 0, 0
for i = 1, #ARGV, 2 do
  local ref = ARGV[i]
  local score = tonumber(ARGV[i + 1])
  local current = redis.call('ZSCORE', KEYS[1], ref)
  if not current then
    redis.call('ZADD', KEYS[1], score, ref)
    added = added + 1
  elseif score < tonumber(current) then
    redis.call('ZADD', KEYS[1], score, ref)
    moved = moved + 1
  end
end
return {added, moved}
`;
