import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The string literals of a union type declared in a source file: `export type Name = | 'A' | 'B';`. */
async function unionCodes(path: string, typeName: string): Promise<string[]> {
  // Without comments: their `;` would end the declaration early.
  const source = (await read(path)).replace(/\/\*[\s\S]*?\*\//g, '');
  const start = source.indexOf(`export type ${typeName} =`);
  expect(start, `${typeName} in ${path}`).toBeGreaterThan(-1);
  const declaration = source.slice(start, source.indexOf(';', start));
  return [...declaration.matchAll(/\|\s*'([A-Za-z_]+)'/g)].map((match) => match[1] as string);
}

describe('docs/troubleshooting.md', () => {
  it.each([
    ['packages/core/src/errors.ts', 'BatonErrorCode'],
    ['packages/transport-http/src/errors.ts', 'OwnErrorCode'],
    ['packages/transport-http/src/errors.ts', 'PlatformErrorCode'],
    ['packages/store-redis/src/errors.ts', 'RedisStoreErrorCode'],
    ['packages/testkit/src/errors.ts', 'TestkitErrorCode'],
  ])('names every code of %s %s', async (path, typeName) => {
    const page = await read('docs/troubleshooting.md');
    const codes = await unionCodes(path, typeName);
    expect(codes.length).toBeGreaterThan(3);
    expect(codes.filter((code) => !page.includes(`\`${code}\``))).toEqual([]);
  });

  it("names the engine's own codes of the calls it makes", async () => {
    const page = await read('docs/troubleshooting.md');
    // The outbox runner, and the per-entry steps it shares with grouped reads.
    const runner =
      (await read('packages/core/src/engine/outbox-runner.ts')) +
      (await read('packages/core/src/engine/outbox-entry.ts'));
    for (const code of [
      'CALL_TIMEOUT',
      'LEASE_EXPIRED',
      'TRANSPORT_THREW',
      'EFFECT_ABANDONED',
      'WITHDRAWN',
    ]) {
      expect(runner).toContain(`'${code}'`);
      expect(page).toContain(`\`${code}\``);
    }
  });
});
