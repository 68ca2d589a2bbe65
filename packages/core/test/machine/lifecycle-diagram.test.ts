import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { diagramReadmes, lifecycleDiagram, withDiagram } from '../../../../scripts/lifecycle-diagram.ts';

const root = new URL('../../../../', import.meta.url);

describe('the lifecycle diagram', () => {
  it('is drawn from the machine: every state, and an arrow for every targeted transition', () => {
    const diagram = lifecycleDiagram();
    expect(diagram.split('\n')[1]).toBe('  [*] --> bot');
    for (const arrow of [
      'bot --> transferring: transfer.request (hasPlan)',
      'awaitingOperator --> operator: message (isAnswer)',
      'awaitingOperator --> transferring: operator.skipped (isStepSkipWithNextStep)',
      'operator --> closed: session.finished',
      'closed --> bot:',
    ]) {
      expect(diagram).toContain(arrow);
    }
    // A hand-drawn arrow the machine does not have is not in it.
    expect(diagram).not.toMatch(/closed --> transferring/);
  });

  it.each(diagramReadmes)(
    '%s shows the diagram the machine gives (run `pnpm diagram` after changing it)',
    async (path) => {
      const readme = await readFile(new URL(path, root), 'utf8');
      const expected = withDiagram(readme);
      expect(expected, `${path} has no lifecycle-diagram markers`).toBeDefined();
      expect(readme).toBe(expected);
      // No other (hand-drawn) state diagram is left beside it.
      expect(readme.match(/stateDiagram-v2/g)).toHaveLength(1);
    },
  );
});
