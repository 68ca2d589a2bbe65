import { createMemoryLockManager, createMemoryRateLimiter, createMemoryStore } from '@baton/core';
import {
  lockManagerConformanceSuite,
  rateLimiterConformanceSuite,
  routingCountersConformanceSuite,
} from '@baton/core/testing';

routingCountersConformanceSuite('memory store', {
  create: async ({ clock }) => createMemoryStore({ clock }),
  destroy: (store) => store.close(),
});

rateLimiterConformanceSuite('memory rate limiter', {
  create: async ({ clock, rateLimit }) => createMemoryRateLimiter({ clock, limit: rateLimit }),
  destroy: (limiter) => limiter.close(),
});

rateLimiterConformanceSuite('memory rate limiter with a per-portal limit function', {
  create: async ({ clock, rateLimit }) => createMemoryRateLimiter({ clock, limit: () => rateLimit }),
  destroy: (limiter) => limiter.close(),
});

lockManagerConformanceSuite('memory lock manager', {
  create: async ({ clock }) => createMemoryLockManager({ clock }),
  destroy: (locks) => locks.close(),
});
