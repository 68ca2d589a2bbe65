import { storeNowLua } from './time.js';

/**
 * `batonIndexReserve` (2 keys): before a commit, adds its outbox entries and timers to their
 * shard's indexes, hidden until `now + grace`. Every ref's score changes (a ref that happens to
 * carry exactly `now + grace` already gets 1 ms more), so a claim or a completion about to
 * correct the ref with the score it saw finds a different one and leaves the ref alone: it
 * cannot undo this reservation. A ref scored later (a long lease, a timer due later) is brought
 * forward; a claim then finds the record not yet claimable and puts the ref back. If the
 * committing worker dies before settling, a claim finds the entry after the grace period and
 * follows the chat's own records: the entry is claimed if the commit landed, dropped if it did
 * not (the commit refuses to land once `now + grace / 2` has passed, see `batonCommit`).
 *
 *   KEYS[1] shard outbox index, KEYS[2] shard timer index
 *   ARGV[1] now override ('' = Redis TIME), ARGV[2] grace (ms)
 *   ARGV[3] E = number of outbox refs, then E refs; then T = number of timer refs, then T refs
 *
 * Returns {tentative, reserved score of every ref in argument order}, tentative = now + grace.
 */
export const indexReserveLua = `${storeNowLua}
local tentative = storeNow(ARGV[1]) + tonumber(ARGV[2])
local out = {tentative}
local function reserve(key, ref)
  local current = tonumber(redis.call('ZSCORE', key, ref) or '-1')
  local score = tentative
  if current == tentative then score = tentative + 1 end
  redis.call('ZADD', key, score, ref)
  out[#out + 1] = score
end
local effectCount = tonumber(ARGV[3])
for i = 1, effectCount do
  reserve(KEYS[1], ARGV[3 + i])
end
local timerBase = 4 + effectCount
for i = 1, tonumber(ARGV[timerBase]) do
  reserve(KEYS[2], ARGV[timerBase + i])
end
return out
`;

/**
 * `batonIndexSettle` (2 keys): after a commit, copies the chat's truth into the shard indexes.
 * A ref still carrying the score this commit reserved gets the truth exactly (or is removed
 * when the chat has no such record). A ref someone touched since (a later commit, a claim) is
 * only ever moved earlier (`ZADD LT`, which also adds a missing ref): settles that arrive out of
 * order can make a claim look early — it then corrects the ref — but never make work late.
 *
 *   KEYS[1] shard outbox index, KEYS[2] shard timer index
 *   ARGV[1] E, then E triples (ref, reserved score, truth score or -1);
 *   then T, then T triples (ref, reserved score, truth score or -1)
 *
 * Returns 1.
 */
export const indexSettleLua = `
local function settle(key, ref, reserved, score)
  local current = tonumber(redis.call('ZSCORE', key, ref) or '-1')
  if score < 0 then
    if current == reserved then redis.call('ZREM', key, ref) end
  elseif current == reserved then
    redis.call('ZADD', key, score, ref)
  else
    redis.call('ZADD', key, 'LT', score, ref)
  end
end
local effectCount = tonumber(ARGV[1])
for i = 1, effectCount do
  local at = 1 + (i - 1) * 3
  settle(KEYS[1], ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]))
end
local timerBase = 2 + effectCount * 3
for i = 1, tonumber(ARGV[timerBase]) do
  local at = timerBase + (i - 1) * 3
  settle(KEYS[2], ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]))
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

/**
 * `batonIndexRepair` (1 key): puts refs back into a shard index from the chats' own records. A
 * missing ref is added with the record's score; a ref already there is only ever moved earlier
 * (never later: a reservation, lease or settle newer than the record that was read stands, and
 * an early ref only makes a claim look, find the record not claimable yet and put it back).
 *
 *   KEYS[1] shard index (outbox or timers)
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
