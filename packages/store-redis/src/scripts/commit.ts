import { chatRetentionLua } from './retention.js';
import { storeNowLua } from './time.js';

/**
 * `batonCommit` (6 keys): one event's changes to one chat, its portal's busy counts with them, all
 * or nothing. All keys share the portal's hash tag, so this runs on one Cluster slot. Safe to run twice: the duplicate check
 * comes first, so a resent script answers "duplicate" and changes nothing. A commit that arrives
 * after its deadline (held up in a client's queue past the shard indexes' grace period) changes
 * nothing either: by then a claim may already have judged its index refs, so it must not land.
 *
 *   KEYS[1] chat hash (snapshot, version, state, stateSince, createdAt, updatedAt)
 *   KEYS[2] dedupe sorted set (event id → expiry time)
 *   KEYS[3] outbox hash (entry id → JSON record)
 *   KEYS[4] timers hash (timer id → JSON record)
 *   KEYS[5] history list (newest first)
 *   KEYS[6] the portal's busy hash (operator id → count; `epoch` → holder changes so far)
 *
 *   ARGV[1] now override ('' = Redis TIME)
 *   ARGV[2] expected version
 *   ARGV[3] event id
 *   ARGV[4] dedupe TTL (ms)
 *   ARGV[5] snapshot JSON
 *   ARGV[6] state name
 *   ARGV[7] stateSince (ms)
 *   ARGV[8] history length to keep
 *   ARGV[9] deadline (ms; '' = none): refuse to apply when now is past it
 *   ARGV[10] retention of the new state (ms; 0 = the state is not listed): when the chat then has
 *            no outbox entries and no timers, all five keys expire together after it (on the
 *            Redis server's clock); otherwise the expiry is removed (the dedupe set keeps its
 *            own, which is never earlier than its newest entry's)
 *   ARGV[11] the chat's holder after the commit ('' = nobody)
 *   ARGV[12] maxChats ('' = none): when the holder is new to the chat and already holds that
 *            many, nothing changes and the reply is "at capacity"
 *   ARGV[13] '1' to answer the chat as it is now on a conflict (read on conflict), else '0'
 *   ARGV[14] E = number of outbox entries, then E pairs (id, call JSON)
 *   then T = number of timers to set, then T pairs (id, delay ms)
 *   then C = number of timers to cancel, then C ids
 *   then the event's type and the commit's reason for the history entry ('' = none; both optional)
 *
 * Returns {status, value, previousState, now, scores…}
 *   status 1 committed (value = new version), 2 conflict (value = current version),
 *   3 duplicate (value = 0), 4 too late (value = 0; nothing changed, nothing reported),
 *   5 at capacity (value = the new holder's busy count; nothing changed).
 *   scores: for every outbox entry, timer set and timer cancelled, in argument order, the time
 *   its shard index entry should carry (when it may next be claimed), or -1 when the chat has
 *   no such record. The caller copies these into the shard indexes.
 *   A conflict read on conflict (ARGV[13]) then adds the chat's snapshot, state, stateSince and
 *   holder ('' when it has none), read in this same script.
 */
export const commitLua = `${storeNowLua}${chatRetentionLua}
local now = storeNow(ARGV[1])
local expected = tonumber(ARGV[2])
local eventId = ARGV[3]
local dedupeTtl = tonumber(ARGV[4])

local retention = tonumber(ARGV[10])
local holder = ARGV[11]
local readOnConflict = ARGV[13] == '1'
local effectBase = 14
local effectCount = tonumber(ARGV[effectBase])
local timerBase = effectBase + 1 + effectCount * 2
local timerCount = tonumber(ARGV[timerBase])
local cancelBase = timerBase + 1 + timerCount * 2
local cancelCount = tonumber(ARGV[cancelBase])
local noteBase = cancelBase + 1 + cancelCount
local function noteArg(i)
  local value = ARGV[noteBase + i]
  if value == nil or value == '' then return nil end
  return value
end

local function recordScore(hash, id)
  local raw = redis.call('HGET', hash, id)
  if not raw then return -1 end
  local record = cjson.decode(raw)
  if record.due ~= nil then return math.max(record.due, record['until']) end
  return math.max(record.at, record['until'])
end

local function scores()
  local out = {}
  for i = 1, effectCount do
    out[#out + 1] = recordScore(KEYS[3], ARGV[effectBase + (i - 1) * 2 + 1])
  end
  for i = 1, timerCount do
    out[#out + 1] = recordScore(KEYS[4], ARGV[timerBase + (i - 1) * 2 + 1])
  end
  for i = 1, cancelCount do
    out[#out + 1] = recordScore(KEYS[4], ARGV[cancelBase + i])
  end
  return out
end

local function reply(status, value, previousState)
  local out = {status, value, previousState, now}
  for _, score in ipairs(scores()) do out[#out + 1] = score end
  return out
end

if ARGV[9] ~= '' and now > tonumber(ARGV[9]) then
  return {4, 0, '', now}
end

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZSCORE', KEYS[2], eventId) then
  return reply(3, 0, '')
end

local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= expected then
  local out = reply(2, current, '')
  if readOnConflict then
    -- The chat as it is now, so that the caller retries without a separate read.
    local record = redis.call('HMGET', KEYS[1], 'snapshot', 'state', 'stateSince', 'holder')
    for i = 1, 4 do out[#out + 1] = record[i] or '' end
  end
  return out
end

local previousHolder = redis.call('HGET', KEYS[1], 'holder') or ''
if holder ~= previousHolder and holder ~= '' and ARGV[12] ~= '' then
  local busy = tonumber(redis.call('HGET', KEYS[6], holder) or '0')
  if busy >= tonumber(ARGV[12]) then
    return reply(5, busy, '')
  end
end

local previousState = redis.call('HGET', KEYS[1], 'state') or ''
local version = current + 1
redis.call('HSET', KEYS[1], 'snapshot', ARGV[5], 'version', version, 'state', ARGV[6],
  'stateSince', ARGV[7], 'updatedAt', now)
redis.call('HSETNX', KEYS[1], 'createdAt', now)

-- The chat's busy count moves with its holder, in this same script.
if holder ~= previousHolder then
  if previousHolder ~= '' then
    local count = tonumber(redis.call('HGET', KEYS[6], previousHolder) or '0') - 1
    if count > 0 then redis.call('HSET', KEYS[6], previousHolder, count)
    else redis.call('HDEL', KEYS[6], previousHolder) end
  end
  if holder ~= '' then
    redis.call('HINCRBY', KEYS[6], holder, 1)
    redis.call('HSET', KEYS[1], 'holder', holder)
  else
    redis.call('HDEL', KEYS[1], 'holder')
  end
  redis.call('HINCRBY', KEYS[6], 'epoch', 1)
end

redis.call('ZADD', KEYS[2], now + dedupeTtl, eventId)
redis.call('PEXPIRE', KEYS[2], dedupeTtl)

for i = 1, effectCount do
  local id = ARGV[effectBase + (i - 1) * 2 + 1]
  local call = ARGV[effectBase + (i - 1) * 2 + 2]
  -- A re-recorded id replaces the entry: unclaimed again, and an old lease can no longer complete it.
  redis.call('HSET', KEYS[3], id, cjson.encode({
    call = call, at = now, ['until'] = 0, token = '', attempt = 0, seq = version * 1000 + i
  }))
end

for i = 1, cancelCount do
  redis.call('HDEL', KEYS[4], ARGV[cancelBase + i])
end

for i = 1, timerCount do
  local id = ARGV[timerBase + (i - 1) * 2 + 1]
  local delay = tonumber(ARGV[timerBase + (i - 1) * 2 + 2])
  -- Replacing a timer drops any lease on it: the old claim can no longer complete it.
  redis.call('HSET', KEYS[4], id, cjson.encode({ due = now + delay, ['until'] = 0, token = '' }))
end

redis.call('LPUSH', KEYS[5], cjson.encode({
  version = version, eventId = eventId, state = ARGV[6], at = now,
  eventType = noteArg(0), reason = noteArg(1)
}))
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[8]) - 1)

-- At rest in a listed state: everything of the chat expires together. Otherwise it stays.
if not restChat(KEYS, retention) then
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[3])
  redis.call('PERSIST', KEYS[4])
  redis.call('PERSIST', KEYS[5])
end

return reply(1, version, previousState)
`;
