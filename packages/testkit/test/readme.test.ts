import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');

/** Code with layout taken out: whitespace, and the trailing commas a formatter adds when it wraps. */
const normalise = (code: string) => code.replace(/\s+/g, '').replace(/,(?=[}\])])/g, '');

describe('the README', () => {
  it('shows exactly the example that readme-example.test.ts runs', async () => {
    const readme = await read('../README.md');
    const section = readme.slice(readme.indexOf('## Test your own bot with it'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const test = await read('./readme-example.test.ts');
    // The test's first line says where it comes from; the rest is the README's example.
    const example = test.slice(test.indexOf('\n') + 1);
    expect(normalise(block ?? '')).toBe(normalise(example));
  });

  it('shows exactly the SDK example that readme-sdk-example.test.ts runs', async () => {
    const readme = await read('../README.md');
    const section = readme.slice(readme.indexOf('## Testing a bot written with the official SDK'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const test = await read('./readme-sdk-example.test.ts');
    const example = test.slice(test.indexOf('\n') + 1);
    expect(normalise(block ?? '')).toBe(normalise(example));
  });
});
