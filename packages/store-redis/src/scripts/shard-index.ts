import { storeNowLua } from './time.js';

/**
 * `batonIndexReserve` (2 keys): before a commit, adds its outbox entries and timers to their
 * shard's indexes, hidden until `now + grace` (`ZADD GT`: an entry already due later stays
 * put). If the committing worker dies before settling, a claim finds the entry after the grace
 * period and follows the chat's own records: the entry is claimed if the commit landed, dropped
 * if it did not.
 *
 *   KEYS[1] shard outbox index, KEYS[2] shard timer index
 *   ARGV[1] now override ('' = Redis TIME), ARGV[2] grace (ms)
 *   ARGV[3] E = number of outbox refs, then E refs; then T = number of timer refs, then T refs
 *
 * Returns the tentative score used (now + grace).
 */
export const indexReserveLua = `${storeNowLua}
local tentative = storeNow(ARGV[1]) + tonumber(ARGV[2])
local effectCount = tonumber(ARGV[3])
for i = 1, effectCount do
  redis.call('ZADD', KEYS[1], 'GT', tentative, ARGV[3 + i])
end
local timerBase = 4 + effectCount
for i = 1, tonumber(ARGV[timerBase]) do
  redis.call('ZADD', KEYS[2], 'GT', tentative, ARGV[timerBase + i])
end
return tentative
`;

/**
 * `batonIndexSettle` (2 keys): after a commit, copies the chat's truth into the shard indexes.
 * A present record sets its ref's score; an absent one removes the ref only if it still carries
 * this commit's tentative score (a later commit may have re-added it).
 *
 *   KEYS[1] shard outbox index, KEYS[2] shard timer index
 *   ARGV[1] tentative score from `batonIndexReserve`
 *   ARGV[2] E, then E pairs (ref, score or -1); then T, then T pairs (ref, score or -1)
 *
 * Returns 1.
 */
export const indexSettleLua = `
local tentative = tonumber(ARGV[1])
local function settle(key, ref, score)
  if score >= 0 then
    redis.call('ZADD', key, score, ref)
  elseif tonumber(redis.call('ZSCORE', key, ref) or '-1') == tentative then
    redis.call('ZREM', key, ref)
  end
end
local effectCount = tonumber(ARGV[2])
for i = 1, effectCount do
  settle(KEYS[1], ARGV[2 + (i - 1) * 2 + 1], tonumber(ARGV[2 + (i - 1) * 2 + 2]))
end
local timerBase = 3 + effectCount * 2
for i = 1, tonumber(ARGV[timerBase]) do
  settle(KEYS[2], ARGV[timerBase + (i - 1) * 2 + 1], tonumber(ARGV[timerBase + (i - 1) * 2 + 2]))
end
return 1
`;

/**
 * `batonIndexClaim` (1 key): takes up to `limit` due refs from one shard index and hides them
 * for the lease, so that concurrent workers pick different candidates. The chat's own record
 * then decides whether the claim holds.
 *
 *   KEYS[1] shard index (outbox or timers)
 *   ARGV[1] now override ('' = Redis TIME), ARGV[2] limit, ARGV[3] lease (ms)
 *
 * Returns {now, leaseUntil, ref…}.
 */
export const indexClaimLua = `${storeNowLua}
local now = storeNow(ARGV[1])
local leaseUntil = now + tonumber(ARGV[3])
local refs = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local out = {now, leaseUntil}
for _, ref in ipairs(refs) do
  redis.call('ZADD', KEYS[1], leaseUntil, ref)
  out[#out + 1] = ref
end
return out
`;

/**
 * `batonIndexFix` (1 key): corrects refs after the chats' records were consulted, each only if
 * it still carries the score this worker gave it (otherwise someone else has touched it since).
 *
 *   KEYS[1] shard index
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
