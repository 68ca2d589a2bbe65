import type { ConformanceHarness } from '@baton/core/testing';
import * as testing from '@baton/core/testing';
import type { RedisStore } from '@baton/store-redis';
import { describe, it } from 'vitest';
import { redisTargets } from './helpers/redis.js';
import { harnessesFor } from './helpers/store-harness.js';

type EngineSuite = (label: string, harness: ConformanceHarness<RedisStore>) => void;

// The engine's own scenarios with this store plugged in, on standalone and Cluster. Looked up
// by name so that this file runs them as soon as `@baton/core/testing` exports the suite.
const engineConformanceSuite = (testing as Record<string, unknown>).engineConformanceSuite as
  | EngineSuite
  | undefined;

for (const target of redisTargets()) {
  const skipReason =
    target.skipReason ??
    (engineConformanceSuite === undefined
      ? '@baton/core/testing does not export engineConformanceSuite yet'
      : undefined);
  if (skipReason !== undefined || engineConformanceSuite === undefined) {
    describe(`engine conformance on ${target.name}`, () => {
      it.skip(`not run: ${skipReason}`, () => {});
    });
    continue;
  }
  describe(`engine conformance on ${target.name}`, () => {
    engineConformanceSuite(`Redis ${target.name}`, harnessesFor(target).store);
  });
}
