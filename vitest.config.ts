import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests import the packages by name; point those names at the sources so that a test run
// never depends on a stale build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@baton\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
      { find: /^@baton\/core\/fakes$/, replacement: src('core/src/testing/fakes.ts') },
      { find: /^@baton\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@baton\/transport-http$/, replacement: src('transport-http/src/index.ts') },
      { find: /^@baton\/store-redis$/, replacement: src('store-redis/src/index.ts') },
      { find: /^@baton\/testkit$/, replacement: src('testkit/src/index.ts') },
      { find: /^@baton\/otel$/, replacement: src('otel/src/index.ts') },
    ],
  },
  test: {
    globalSetup: ['packages/store-redis/test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'packages',
          include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'docs/test/**/*.test.ts'],
          exclude: ['packages/reliability/**', '**/node_modules/**'],
        },
      },
      {
        // Each reliability scenario forks several workers and loads Redis and the emulator on its
        // own: they run one file at a time, after the rest, so that none measures another's load.
        extends: true,
        test: {
          name: 'reliability',
          include: ['packages/reliability/test/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
