/**
 * Lua shared by the scripts that can bring a chat to rest: the commit, and the completion of an
 * outbox entry or a timer. A chat rests when its state has a retention, it has no outbox
 * entries and no timers left, and it holds no operator (an expired chat could not release its
 * busy count); then every one of its keys gets the same absolute expiry.
 *
 * The expiry is taken from the Redis server's `TIME`, never from an injected clock: Redis
 * expires keys on its own clock. All five keys share one `PEXPIREAT` instant, so Redis (which
 * judges expiry by the time a script or command started) never shows a chat partly gone.
 *
 * `chatKeys` lists the chat's keys in the order of `ChatKeys`: chat, dedupe, outbox, timers,
 * history.
 */
export const chatRetentionLua = `
local function restChat(chatKeys, retention)
  if retention == nil or retention <= 0 then return false end
  if redis.call('HLEN', chatKeys[3]) > 0 or redis.call('HLEN', chatKeys[4]) > 0 then return false end
  if redis.call('HEXISTS', chatKeys[1], 'holder') == 1 then return false end
  local t = redis.call('TIME')
  local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + retention
  -- The flag tells a later commit that the keys carry an expiry to remove, without a PTTL call.
  redis.call('HSET', chatKeys[1], 'rest', '1')
  for i = 1, 5 do redis.call('PEXPIREAT', chatKeys[i], at) end
  return true
end
`;
