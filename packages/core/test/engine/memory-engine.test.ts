import { createMemoryStore } from '@baton/core';
import { engineConformanceSuite } from '@baton/core/testing';

engineConformanceSuite('memory store', {
  create: async ({ clock }) => createMemoryStore({ clock }),
  destroy: (store) => store.close(),
});
