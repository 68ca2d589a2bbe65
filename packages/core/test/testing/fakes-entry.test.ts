import { readFileSync } from 'node:fs';
import { createEngine } from '@baton/core';
import { createFakeTransport, createManualClock } from '@baton/core/fakes';
import { describe, expect, it } from 'vitest';

describe('@baton/core/fakes', () => {
  it('drives an engine with the fake transport and the manual clock', async () => {
    const transport = createFakeTransport();
    const clock = createManualClock();
    const engine = createEngine({ transport, clock });
    await engine.dispatch({
      type: 'transfer.request',
      id: 't1',
      portal: 'p',
      chatId: 1,
      target: { kind: 'user', userId: 7 },
      leave: 'Y',
    });
    await engine.drain();
    expect(transport.callsOf('transfer')).toHaveLength(1);
    expect((await engine.getChat({ portal: 'p', chatId: 1 }))?.state).toBe('operator');
  });

  it('loads without the test runner: none of its modules imports vitest', () => {
    for (const file of ['fakes.ts', 'fake-transport.ts', 'manual-clock.ts']) {
      const source = readFileSync(new URL(`../../src/testing/${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from ['"]vitest['"]/);
    }
  });
});
