/**
 * `busyRepair` (KEYS: the portal's busy hash, then every chat hash of the portal found by a scan;
 * all on the portal's slot): recomputes the busy counts from the chats' `holder` fields and
 * rewrites the ones that differ, atomically. Run with `EVAL` (its key count varies).
 *
 *   ARGV[1] the busy hash's `epoch` when the scan began ('' = none): a commit that changed a
 *           holder since (maybe of a chat the scan missed) makes the script change nothing
 *   ARGV[2] '1': report what differs, write nothing (a check)
 *
 * Returns {-1} when the epoch moved (scan again), else {0, id, was, now, id, was, now, …} for
 * every count rewritten.
 */
export const busyRepairLua = `
local epoch = redis.call('HGET', KEYS[1], 'epoch') or ''
local write = ARGV[2] ~= '1'
if epoch ~= ARGV[1] then return {-1} end
local held = {}
for i = 2, #KEYS do
  local holder = redis.call('HGET', KEYS[i], 'holder')
  if holder then held[holder] = (held[holder] or 0) + 1 end
end
local out = {0}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local id = fields[i]
  if id ~= 'epoch' then
    local was = tonumber(fields[i + 1]) or 0
    local now = held[id] or 0
    if was ~= now then
      out[#out + 1] = id
      out[#out + 1] = was
      out[#out + 1] = now
      if write and now > 0 then redis.call('HSET', KEYS[1], id, now)
      elseif write then redis.call('HDEL', KEYS[1], id) end
    end
    held[id] = nil
  end
end
for id, now in pairs(held) do
  out[#out + 1] = id
  out[#out + 1] = 0
  out[#out + 1] = now
  if write then redis.call('HSET', KEYS[1], id, now) end
end
return out
`;
