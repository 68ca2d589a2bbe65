import { engineConformanceSuite } from '@baton/core/testing';
import { describe, it } from 'vitest';
import { redisTargets } from './helpers/redis.js';
import { harnessesFor } from './helpers/store-harness.js';

// The engine's own scenarios with this store plugged in, on standalone and on the Cluster.
for (const target of redisTargets()) {
  if (target.skipReason !== undefined) {
    describe(`engine conformance on ${target.name}`, () => {
      it.skip(`not run: ${target.skipReason}`, () => {});
    });
    continue;
  }
  describe(`engine conformance on ${target.name}`, () => {
    engineConformanceSuite(`Redis ${target.name}`, harnessesFor(target).store);
  });
}
