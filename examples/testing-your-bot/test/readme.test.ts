import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');

describe("the root README's bot", () => {
  it('is src/bot.ts, the bot that bot.test.ts runs, unchanged', async () => {
    const readme = await read('../../../README.md');
    const section = readme.slice(readme.indexOf('## A production-safe bot'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    expect(block).toBe(await read('../src/bot.ts'));
  });

  it('still starts with the two copy-paste commands: the demo and the whole test suite', async () => {
    const readme = await read('../../../README.md');
    const install = 'npx -y pnpm@10.34.9 install --frozen-lockfile';
    expect(
      readme.startsWith(
        `# Baton\n\n\`\`\`sh\n${install} && npx -y pnpm@10.34.9 demo\n\`\`\`\n\n\`\`\`sh\n${install} && npx -y pnpm@10.34.9 test\n\`\`\`\n`,
      ),
    ).toBe(true);
  });
});
