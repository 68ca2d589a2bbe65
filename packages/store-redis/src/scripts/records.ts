import { chatRetentionLua } from './retention.js';

/**
 * Lua shared by the completions and by a commit that completes a fired timer: removes a leased
 * record and its ref in the portal's index if the lease token still holds it (fencing: a worker
 * whose lease expired and was taken over cannot complete it). Returns whether it did.
 */
export const completeHeldLua = `
local function completeHeld(records, index, id, token, ref)
  local raw = redis.call('HGET', records, id)
  if not raw or cjson.decode(raw).token ~= token then return false end
  redis.call('HDEL', records, id)
  redis.call('ZREM', index, ref)
  return true
end
`;

/**
 * `batonClaimEffects` (1 + N keys): leases the outbox entries that a portal's index claim took,
 * each if it is unclaimed or its lease has expired, and sets each entry's ref in the portal's
 * outbox index to what the record says (the chat's record is the truth; the index only pointed
 * here). All keys are on the portal's slot.
 *
 *   KEYS[1] the portal's outbox index, KEYS[1 + i] the outbox hash of candidate i's chat
 *   ARGV[1] now (from the index claim), ARGV[2] lease until,
 *   then per candidate: entry id, lease token, index ref
 *
 * Returns 6 values per candidate, in order: {1, attempt, call JSON, seq, createdAt, started
 * (0/1)} claimed; {2, score, '', 0, 0, 0} held by another lease (score = when it expires);
 * {0, 0, '', 0, 0, 0} no such entry (completed or replaced).
 */
export const claimEffectsLua = `
local now = tonumber(ARGV[1])
local leaseUntil = tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS - 1 do
  local outbox = KEYS[1 + i]
  local id, token, ref = ARGV[3 * i], ARGV[3 * i + 1], ARGV[3 * i + 2]
  local raw = redis.call('HGET', outbox, id)
  if not raw then
    redis.call('ZREM', KEYS[1], ref)
    for _, value in ipairs({0, 0, '', 0, 0, 0}) do out[#out + 1] = value end
  else
    local record = cjson.decode(raw)
    if record['until'] > now then
      redis.call('ZADD', KEYS[1], record['until'], ref)
      for _, value in ipairs({2, record['until'], '', 0, 0, 0}) do out[#out + 1] = value end
    else
      record['until'] = leaseUntil
      record.token = token
      record.attempt = record.attempt + 1
      redis.call('HSET', outbox, id, cjson.encode(record))
      redis.call('ZADD', KEYS[1], leaseUntil, ref)
      for _, value in ipairs({1, record.attempt, record.call, record.seq, record.at, record.started or 0}) do
        out[#out + 1] = value
      end
    end
  end
end
return out
`;

/**
 * `batonStartEffect` (1 key): marks a leased outbox entry's call started, if it is still leased
 * with this token, so that a later claimant knows the call may have run.
 *
 *   KEYS[1] chat outbox hash
 *   ARGV[1] entry id, ARGV[2] lease token
 *
 * Returns 1 marked, 0 refused (stale token or no such entry).
 */
export const startEffectLua = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local record = cjson.decode(raw)
if record.token ~= ARGV[2] then return 0 end
record.started = 1
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
return 1
`;

/**
 * The completion of an outbox entry or a timer: removes the record and its index ref if it is
 * still leased with this token (fencing: a worker whose lease expired and was taken over cannot
 * complete it). When that was the chat's last outbox entry and timer and the chat rests in a
 * state with a retention, all of the chat's keys expire together after it (see `batonCommit`).
 *
 *   KEYS[1] chat hash, KEYS[2] dedupe, KEYS[3] outbox hash, KEYS[4] timers hash, KEYS[5] history,
 *   KEYS[6] the portal's index of that kind
 *   ARGV[1] entry id, ARGV[2] lease token,
 *   ARGV[3] retention JSON (state name → ms; {} = none), ARGV[4] the entry's index ref
 *
 * Returns 1 removed, 0 refused (stale token or no such entry).
 */
function completeLua(recordKey: 3 | 4): string {
  return `${chatRetentionLua}${completeHeldLua}
if not completeHeld(KEYS[${recordKey}], KEYS[6], ARGV[1], ARGV[2], ARGV[4]) then return 0 end
local state = redis.call('HGET', KEYS[1], 'state')
if state then restChat(KEYS, cjson.decode(ARGV[3])[state]) end
return 1
`;
}

/**
 * `batonCompleteEffect` (6 keys): removes a leased outbox entry (KEYS[3]) and its ref in the
 * portal's outbox index (KEYS[6]); see `completeLua` for the keys and arguments.
 *
 * Returns 1 removed, 0 refused.
 */
export const completeEffectLua = completeLua(3);

/**
 * `batonClaimTimers` (1 + 2N keys): leases the timers that a portal's index claim took, each if
 * it is due and not held by a live lease, and sets each timer's ref in the portal's timer index
 * to what the record says. A claimed timer comes with its chat as it is now, so that its event
 * needs no separate read. All keys are on the portal's slot.
 *
 *   KEYS[1] the portal's timer index, then per candidate: its chat's timers hash and chat hash
 *   ARGV[1] now (from the index claim), ARGV[2] lease until,
 *   then per candidate: timer id, lease token, index ref
 *
 * Returns 7 values per candidate, in order: {1, due, snapshot, version, state, stateSince,
 * holder} claimed (chat fields '' when absent); {2, score, '', '', '', '', ''} not yet due or held
 * (score = when to look again); {0, 0, '', '', '', '', ''} no such timer (cancelled or fired).
 */
export const claimTimersLua = `
local now = tonumber(ARGV[1])
local leaseUntil = tonumber(ARGV[2])
local out = {}
for i = 1, (#KEYS - 1) / 2 do
  local timers, chat = KEYS[2 * i], KEYS[2 * i + 1]
  local id, token, ref = ARGV[3 * i], ARGV[3 * i + 1], ARGV[3 * i + 2]
  local raw = redis.call('HGET', timers, id)
  if not raw then
    redis.call('ZREM', KEYS[1], ref)
    for _, value in ipairs({0, 0, '', '', '', '', ''}) do out[#out + 1] = value end
  else
    local record = cjson.decode(raw)
    if record.due > now or record['until'] > now then
      local score = math.max(record.due, record['until'])
      redis.call('ZADD', KEYS[1], score, ref)
      for _, value in ipairs({2, score, '', '', '', '', ''}) do out[#out + 1] = value end
    else
      record['until'] = leaseUntil
      record.token = token
      redis.call('HSET', timers, id, cjson.encode(record))
      redis.call('ZADD', KEYS[1], leaseUntil, ref)
      out[#out + 1] = 1
      out[#out + 1] = record.due
      local fields = redis.call('HMGET', chat, 'snapshot', 'version', 'state', 'stateSince', 'holder')
      for f = 1, 5 do out[#out + 1] = fields[f] or '' end
    end
  end
end
return out
`;

/**
 * `batonCompleteTimer` (6 keys): removes a fired timer (KEYS[4]) and its ref in the portal's
 * timer index (KEYS[6]) if it is still leased with this token; a timer replaced or cancelled
 * since the claim has no such token any more. See `completeLua` for the keys and arguments.
 *
 * Returns 1 removed, 0 refused.
 */
export const completeTimerLua = completeLua(4);
