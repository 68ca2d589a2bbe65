import type { Redis } from 'ioredis';
import type { OAuthTokenStore, OAuthTokens } from '../../src/auth/token-store.js';

const compareAndSetScript = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current then return 0 end
else
  if not current then return 0 end
  if cjson.decode(current).refreshToken ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

/** A token store on Redis (one JSON record per portal), with a switch that makes its writes fail. */
export function createRedisTokenStore(redis: Redis, prefix: string) {
  let failingWrites = false;
  const key = (portal: string) => `${prefix}:oauth-tokens:${portal}`;
  const refuse = () => {
    if (failingWrites) throw new Error('the token store is failing (injected)');
  };
  const store: OAuthTokenStore = {
    async get(portal) {
      const text = await redis.get(key(portal));
      return text === null ? undefined : (JSON.parse(text) as OAuthTokens);
    },
    async set(portal, tokens) {
      refuse();
      await redis.set(key(portal), JSON.stringify(tokens));
    },
    async compareAndSet(portal, expected, tokens) {
      refuse();
      const written = await redis.eval(
        compareAndSetScript,
        1,
        key(portal),
        expected ?? '',
        JSON.stringify(tokens),
      );
      return written === 1;
    },
  };
  return {
    store,
    failWrites(failing: boolean) {
      failingWrites = failing;
    },
  };
}
