/**
 * Lua shared by every script: the store's "now" in milliseconds. An empty override means the
 * Redis server's `TIME`; a number is a clock injected by the caller (tests use a manual clock).
 * Reading `TIME` inside a script is safe since Redis 5 replicates a script's effects, not the
 * script itself.
 */
export const storeNowLua = `
local function storeNow(override)
  if override ~= nil and override ~= '' then return math.floor(tonumber(override)) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;
