import { completeHeldLua } from './records.js';
import { chatRetentionLua } from './retention.js';
import { storeNowLua } from './time.js';

/**
 * `batonCommit` (9 keys): one event's changes to one chat, its portal's busy counts and indexes
 * with them, all or nothing. All keys share the portal's hash tag, so this runs on one Cluster
 * slot. Safe to run twice: the duplicate check comes first, so a resent script answers
 * "duplicate" and changes nothing.
 *
 *   KEYS[1] chat hash (snapshot, version, state, stateSince, holder when one, rest when resting)
 *   KEYS[2] dedupe sorted set (event id → expiry time)
 *   KEYS[3] outbox hash (entry id → JSON record)
 *   KEYS[4] timers hash (timer id → JSON record)
 *   KEYS[5] history list (newest first)
 *   KEYS[6] the portal's busy hash (operator id → count; `epoch` → holder changes so far)
 *   KEYS[7] the portal's outbox index, KEYS[8] its timer index, KEYS[9] its state index
 *
 *   ARGV[1] now override ('' = Redis TIME)
 *   ARGV[2] expected version
 *   ARGV[3] event id
 *   ARGV[4] dedupe TTL (ms)
 *   ARGV[5] snapshot JSON
 *   ARGV[6] state name
 *   ARGV[7] stateSince (ms)
 *   ARGV[8] history length to keep (0 = none)
 *   ARGV[9] retention of the new state (ms; 0 = the state is not listed): when the chat then has
 *           no outbox entries and no timers, all five keys expire together after it (on the
 *           Redis server's clock); otherwise the expiry is removed (the dedupe set keeps its
 *           own, which is never earlier than its newest entry's)
 *   ARGV[10] the chat's holder after the commit ('' = nobody)
 *   ARGV[11] maxChats ('' = none): when the holder is new to the chat and already holds that
 *            many, nothing changes and the reply is "at capacity"
 *   ARGV[12] '1' to answer the chat as it is now on a conflict (read on conflict), else '0'
 *   ARGV[13] the chat id (for index members)
 *   ARGV[14] work channel ('' = announce nothing), ARGV[15] the announcing store's id,
 *   ARGV[16] the portal (for the announcement)
 *   ARGV[17] E = number of outbox entries, then E pairs (id, call JSON)
 *   then T = number of timers to set, then T pairs (id, delay ms)
 *   then C = number of timers to cancel, then C ids
 *   then the history entry's fields other than version and time, as JSON object members
 *   (`"eventId":…,"state":…[,"eventType":…][,"reason":…]`, encoded by the caller)
 *   then a claimed timer this commit completes: its id and lease token ('' '' = none); removed
 *   with its index ref, before the commit's cancels and sets, if the token still holds it
 *
 * A commit that records outbox entries or sets timers publishes on the work channel
 * `<store id>\t<outbox in ms or ''>\t<first timer in ms or ''>\t<portal>`, so that idle workers
 * look when there is something to claim instead of polling.
 *
 * Returns {status, value, previousState, now}, and for a commit the timer completion (1 done, 0
 * refused: the token no longer holds it, -1 not asked)
 *   status 1 committed (value = new version), 2 conflict (value = current version),
 *   3 duplicate (value = 0), 5 at capacity (value = the new holder's busy count; nothing changed).
 *   A conflict read on conflict (ARGV[12]) then adds the chat's snapshot, state, stateSince and
 *   holder ('' when it has none), read in this same script.
 */
export const commitLua = `${storeNowLua}${chatRetentionLua}${completeHeldLua}
local now = storeNow(ARGV[1])
local expected = tonumber(ARGV[2])
local eventId = ARGV[3]
local dedupeTtl = tonumber(ARGV[4])
local state = ARGV[6]
local historyLength = tonumber(ARGV[8])
local retention = tonumber(ARGV[9])
local holder = ARGV[10]
local readOnConflict = ARGV[12] == '1'
local chatId = ARGV[13]
-- A member of the portal's indexes: <chatId>:<entry id or state> (as encodeRef and encodeStateMember write it).
local function member(of) return chatId .. ':' .. of end
local effectBase = 17
local effectCount = tonumber(ARGV[effectBase])
local timerBase = effectBase + 1 + effectCount * 2
local timerCount = tonumber(ARGV[timerBase])
local cancelBase = timerBase + 1 + timerCount * 2
local cancelCount = tonumber(ARGV[cancelBase])
local historyFields = ARGV[cancelBase + 1 + cancelCount]
local completesTimer = ARGV[cancelBase + 2 + cancelCount]
local completesToken = ARGV[cancelBase + 3 + cancelCount]

-- An id whose record has expired but was not pruned yet counts as unseen.
local seenUntil = redis.call('ZSCORE', KEYS[2], eventId)
if seenUntil and tonumber(seenUntil) > now then
  return {3, 0, '', now}
end

local record = redis.call('HMGET', KEYS[1], 'version', 'state', 'stateSince', 'holder', 'rest')
local current = tonumber(record[1] or '0')
if current ~= expected then
  local out = {2, current, '', now}
  if readOnConflict then
    -- The chat as it is now, so that the caller retries without a separate read.
    local chat = redis.call('HMGET', KEYS[1], 'snapshot', 'state', 'stateSince', 'holder')
    for i = 1, 4 do out[#out + 1] = chat[i] or '' end
  end
  return out
end

local previousState = record[2] or ''
local previousSince = record[3] or ''
local previousHolder = record[4] or ''
if holder ~= previousHolder and holder ~= '' and ARGV[11] ~= '' then
  local busy = tonumber(redis.call('HGET', KEYS[6], holder) or '0')
  if busy >= tonumber(ARGV[11]) then
    return {5, busy, '', now}
  end
end

local version = current + 1
redis.call('HSET', KEYS[1], 'snapshot', ARGV[5], 'version', version, 'state', state, 'stateSince', ARGV[7])

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

-- The portal's state index: one member per chat, moved with its state.
if previousState ~= state or previousSince ~= ARGV[7] then
  if previousState ~= '' and previousState ~= state then
    redis.call('ZREM', KEYS[9], member(previousState))
  end
  redis.call('ZADD', KEYS[9], tonumber(ARGV[7]), member(state))
end

redis.call('ZADD', KEYS[2], now + dedupeTtl, eventId)
redis.call('PEXPIRE', KEYS[2], dedupeTtl)
-- Expired ids go every 8th version: a few extra ids for a while cost less than a call per event.
if version % 8 == 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) end

for i = 1, effectCount do
  local id = ARGV[effectBase + (i - 1) * 2 + 1]
  local call = ARGV[effectBase + (i - 1) * 2 + 2]
  -- A re-recorded id replaces the entry: unclaimed again, and an old lease can no longer complete it.
  redis.call('HSET', KEYS[3], id, cjson.encode({
    call = call, at = now, ['until'] = 0, token = '', attempt = 0, seq = version * 1000 + i
  }))
  redis.call('ZADD', KEYS[7], now, member(id))
end

local timerCompleted = -1
if completesTimer ~= '' then
  timerCompleted = 0
  if completeHeld(KEYS[4], KEYS[8], completesTimer, completesToken, member(completesTimer)) then
    timerCompleted = 1
  end
end

for i = 1, cancelCount do
  local id = ARGV[cancelBase + i]
  redis.call('HDEL', KEYS[4], id)
  redis.call('ZREM', KEYS[8], member(id))
end

local firstTimer = nil
for i = 1, timerCount do
  local id = ARGV[timerBase + (i - 1) * 2 + 1]
  local delay = tonumber(ARGV[timerBase + (i - 1) * 2 + 2])
  -- Replacing a timer drops any lease on it: the old claim can no longer complete it.
  redis.call('HSET', KEYS[4], id, cjson.encode({ due = now + delay, ['until'] = 0, token = '' }))
  redis.call('ZADD', KEYS[8], now + delay, member(id))
  if firstTimer == nil or delay < firstTimer then firstTimer = delay end
end

if historyLength > 0 then
  redis.call('LPUSH', KEYS[5], '{"version":' .. version .. ',"at":' .. now .. ',' .. historyFields .. '}')
  redis.call('LTRIM', KEYS[5], 0, historyLength - 1)
end

-- At rest in a listed state: everything of the chat expires together. Otherwise it stays
-- (only a chat that rested, flagged \`rest\`, has an expiry to remove).
if not restChat(KEYS, retention) and record[5] then
  redis.call('HDEL', KEYS[1], 'rest')
  for i = 1, 5 do
    if i ~= 2 then redis.call('PERSIST', KEYS[i]) end
  end
end

if ARGV[14] ~= '' and (effectCount > 0 or firstTimer ~= nil) then
  local outboxIn = ''
  if effectCount > 0 then outboxIn = '0' end
  local timerIn = ''
  if firstTimer ~= nil then timerIn = tostring(firstTimer) end
  redis.call('PUBLISH', ARGV[14], ARGV[15] .. '\t' .. outboxIn .. '\t' .. timerIn .. '\t' .. ARGV[16])
end

return {1, version, previousState, now, timerCompleted}
`;
