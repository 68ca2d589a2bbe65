import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The entry points' exported names, as TypeScript resolves them (types and values). */
function exportsOf(entry: string): string[] {
  const file = fileURLToPath(new URL(`../src/${entry}`, import.meta.url));
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`cannot read the exports of ${entry}`);
  return checker.getExportsOfModule(module).map((symbol) => symbol.getName());
}

describe('the public API of @baton/core', () => {
  it('names at most 60 exports in its main entry, each one named (no export *)', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../src/index.ts', import.meta.url), 'utf8');
    expect(text).not.toMatch(/export\s*\*/);
    const names = exportsOf('index.ts');
    expect(names.length).toBeGreaterThan(20);
    expect(names.length).toBeLessThanOrEqual(60);
  });

  it('keeps what only contract implementers need out of the main entry', () => {
    const main = new Set(exportsOf('index.ts'));
    const adapter = new Set(exportsOf('adapter.ts'));
    for (const name of ['Scheduler', 'RoutingCounters', 'Commit', 'StoredChat', 'ClaimedEffect', 'Lock']) {
      expect(main.has(name), name).toBe(false);
      expect(adapter.has(name), name).toBe(true);
    }
    for (const name of ['createEngine', 'Store', 'Transport', 'EngineEvents', 'BatonError']) {
      expect(main.has(name), name).toBe(true);
    }
  });
});
