import {
  lockManagerConformanceSuite,
  rateLimiterConformanceSuite,
  routingCountersConformanceSuite,
  storeConformanceSuite,
} from '@baton/core/testing';
import { describe, it } from 'vitest';
import { redisTargets } from './helpers/redis.js';
import { conformanceDedupeTtlMs, harnessesFor } from './helpers/store-harness.js';

// The core conformance suites, run against a real standalone Redis and a real 3-primary
// Cluster started on loopback by the global setup.
for (const target of redisTargets()) {
  if (target.skipReason !== undefined) {
    describe(`conformance on ${target.name}`, () => {
      it.skip(`not run: ${target.skipReason}`, () => {});
    });
    continue;
  }
  describe(`conformance on ${target.name}`, () => {
    const harnesses = harnessesFor(target);
    storeConformanceSuite(`Redis ${target.name}`, harnesses.store, {
      dedupeTtlMs: conformanceDedupeTtlMs,
      readsOnConflict: true,
    });
    routingCountersConformanceSuite(`Redis ${target.name}`, harnesses.store);
    rateLimiterConformanceSuite(`Redis ${target.name}`, harnesses.rateLimiter);
    lockManagerConformanceSuite(`Redis ${target.name}`, harnesses.lockManager);
  });
}
