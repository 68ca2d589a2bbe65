import { createMemoryStore } from '@baton/core';
import { storeConformanceSuite } from '@baton/core/testing';

const dedupeTtlMs = 60_000;

storeConformanceSuite(
  'memory store',
  {
    create: async ({ clock }) => createMemoryStore({ clock, dedupeTtlMs }),
    destroy: (store) => store.close(),
  },
  { dedupeTtlMs, readsOnConflict: true },
);

storeConformanceSuite('memory store with default options', {
  create: async ({ clock }) => createMemoryStore({ clock }),
  destroy: (store) => store.close(),
});
