import { chatRetentionLua } from './retention.js';

/**
 * `batonClaimEffect` (2 keys): leases one outbox entry of one chat if it is unclaimed or its
 * lease has expired, and sets the entry's ref in the portal's outbox index to what the record
 * says (the chat's record is the truth; the index only pointed here).
 *
 *   KEYS[1] chat outbox hash, KEYS[2] the portal's outbox index
 *   ARGV[1] entry id, ARGV[2] now (from the index claim), ARGV[3] lease until, ARGV[4] token,
 *   ARGV[5] the entry's index ref
 *
 * Returns {1, attempt, call JSON, seq, createdAt, started (0/1)} claimed; {2, score} held by
 * another lease (score = when it expires); {0} no such entry (completed or replaced).
 */
export const claimEffectLua = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  redis.call('ZREM', KEYS[2], ARGV[5])
  return {0}
end
local record = cjson.decode(raw)
if record['until'] > tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[2], record['until'], ARGV[5])
  return {2, record['until']}
end
record['until'] = tonumber(ARGV[3])
record.token = ARGV[4]
record.attempt = record.attempt + 1
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
redis.call('ZADD', KEYS[2], record['until'], ARGV[5])
return {1, record.attempt, record.call, record.seq, record.at, record.started or 0}
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
  return `${chatRetentionLua}
local raw = redis.call('HGET', KEYS[${recordKey}], ARGV[1])
if not raw then return 0 end
if cjson.decode(raw).token ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[${recordKey}], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[4])
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
 * `batonClaimTimer` (3 keys): leases one timer of one chat if it is due and not held by a live
 * lease, and sets its ref in the portal's timer index to what the record says. A claimed timer
 * comes with the chat as it is now, so that its event needs no separate read.
 *
 *   KEYS[1] chat timers hash, KEYS[2] the portal's timer index, KEYS[3] the chat hash
 *   ARGV[1] timer id, ARGV[2] now (from the index claim), ARGV[3] lease until, ARGV[4] token,
 *   ARGV[5] the timer's index ref
 *
 * Returns {1, due, snapshot, version, state, stateSince, holder} claimed (chat fields '' when
 * absent); {2, score} not yet due or held (score = when to look again); {0} no such timer
 * (cancelled or fired).
 */
export const claimTimerLua = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  redis.call('ZREM', KEYS[2], ARGV[5])
  return {0}
end
local record = cjson.decode(raw)
local now = tonumber(ARGV[2])
if record.due > now or record['until'] > now then
  local score = math.max(record.due, record['until'])
  redis.call('ZADD', KEYS[2], score, ARGV[5])
  return {2, score}
end
record['until'] = tonumber(ARGV[3])
record.token = ARGV[4]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
redis.call('ZADD', KEYS[2], record['until'], ARGV[5])
local out = {1, record.due}
local chat = redis.call('HMGET', KEYS[3], 'snapshot', 'version', 'state', 'stateSince', 'holder')
for i = 1, 5 do out[#out + 1] = chat[i] or '' end
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
