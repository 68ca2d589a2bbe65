import { createLifecycleMachine, type Notice } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { MachineEvent } from '../../src/machine/machine-events.js';
import { readInstructions } from '../../src/machine/read-instructions.js';

const key = { portal: 'b24-race-portal', chatId: 4_811_234 };
const operatorId = 2_210_457;
const clientId = 9_134_522;
const machine = createLifecycleMachine();

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

function awaitingSnapshot() {
  const base = { portal: key.portal, chatId: key.chatId };
  let [snapshot] = initialTransition(machine, key);
  [snapshot] = transition(machine, snapshot, {
    ...base,
    id: 't',
    type: 'transfer.request',
    plan: [{ target: { kind: 'user', userId: operatorId }, leave: false, confirmationTimeoutMs: 1_000 }],
  });
  [snapshot] = transition(machine, snapshot, {
    ...base,
    id: 'r',
    type: 'effect.result',
    effectId: snapshot.context.awaitedEffect ?? '',
    outcome: { ok: true },
  });
  return snapshot;
}

describe('races while awaiting an operator', () => {
  it('an answer, the deadline, a skip and a client 0 in any order end with the operator who answered', () => {
    const start = awaitingSnapshot();
    expect(start.value).toBe('awaitingOperator');
    const base = { portal: key.portal, chatId: key.chatId };
    const racing: MachineEvent[] = [
      // The platform's answer notice: a system message from the operator, the owner already set.
      {
        ...base,
        id: 'answer',
        type: 'message',
        author: { userId: operatorId, kind: 'operator' },
        system: true,
        ownerId: operatorId,
      },
      { ...base, id: 'deadline', type: 'timer.fired', timerId: start.context.confirmationTimer ?? '' },
      { ...base, id: 'skip', type: 'operator.skipped', operatorId },
      { ...base, id: 'zero', type: 'message', author: { userId: clientId, kind: 'client' }, text: '0' },
    ];
    for (const order of permutations(racing)) {
      let snapshot = start;
      const notices: Notice[] = [];
      for (const event of order) {
        const [next, actions] = transition(machine, snapshot, event);
        snapshot = next;
        notices.push(...readInstructions(actions).notices);
      }
      const label = `order: ${order.map((e) => e.id).join(' → ')}`;
      const types = notices.map((n) => n.type);
      // One outcome: the operator answered on the platform, so Baton ends with that operator,
      // whether the answer came before the deadline or after the plan had given up.
      expect(
        { state: snapshot.value, operatorId: snapshot.context.operatorId, bot: snapshot.context.botPresent },
        label,
      ).toEqual({ state: 'operator', operatorId, bot: true });
      expect(
        types.filter((t) => t === 'operator.answered'),
        label,
      ).toHaveLength(1);
      expect(types.filter((t) => t === 'handoff.failed').length, label).toBeLessThanOrEqual(1);
      if (types.includes('handoff.failed')) {
        expect(types.indexOf('handoff.failed'), label).toBeLessThan(types.indexOf('operator.answered'));
      }
      // After a transfer, `0` is an ordinary message: the bot is still there, to be removed.
      expect(types, label).not.toContain('bot.left');
    }
  });
});
