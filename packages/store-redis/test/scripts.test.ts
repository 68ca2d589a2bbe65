import { scriptSources } from '@baton/store-redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, redisTargets } from './helpers/redis.js';

const standalone = redisTargets().find((target) => target.name === 'standalone');

describe.skipIf(standalone?.skipReason !== undefined)('Lua scripts', () => {
  let client: Redis;
  beforeAll(() => {
    client = standalone?.connect() as Redis;
  });
  afterAll(async () => closeClient(client));

  for (const [name, { lua, numberOfKeys }] of Object.entries(scriptSources)) {
    it(`${name} (${numberOfKeys ?? 'any number of'} keys) compiles on a real Redis`, async () => {
      const sha = await client.script('LOAD', lua);
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
    });
  }
});
