import { createMemoryStore } from '@baton/core';
import { engineConformanceSuite } from '../../src/testing/engine-suite.js';

engineConformanceSuite('memory store', {
  create: async ({ clock }) => createMemoryStore({ clock }),
  destroy: (store) => store.close(),
});
