import { createLifecycleMachine, type MachineEvent, type Notice, readInstructions } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';

const key = { portal: 'race-portal', chatId: 5 };
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
    plan: [{ target: { kind: 'user', userId: 7 }, leave: false, confirmationTimeoutMs: 1_000 }],
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
  it('an answer, the deadline, a skip and a client 0 in any order end in exactly one outcome', () => {
    const start = awaitingSnapshot();
    expect(start.value).toBe('awaitingOperator');
    const base = { portal: key.portal, chatId: key.chatId };
    const racing: MachineEvent[] = [
      { ...base, id: 'answer', type: 'operator.answered', source: 'explicit', operatorId: 7 },
      { ...base, id: 'deadline', type: 'timer.fired', timerId: start.context.confirmationTimer ?? '' },
      { ...base, id: 'skip', type: 'operator.skipped' },
      { ...base, id: 'zero', type: 'message', author: { userId: 500, kind: 'client' }, text: '0' },
    ];
    const outcomes = new Set<string>();
    for (const order of permutations(racing)) {
      let snapshot = start;
      let afterFirst = start;
      const notices: Notice[] = [];
      for (const event of order) {
        const [next, actions] = transition(machine, snapshot, event);
        snapshot = next;
        if (event === order[0]) afterFirst = next;
        notices.push(...readInstructions(actions).notices);
      }
      const answered = notices.filter((n) => n.type === 'operator.answered');
      const failed = notices.filter((n) => n.type === 'handoff.failed');
      const label = `order: ${order.map((e) => e.id).join(' → ')}`;
      // Never "answered" and "timed out/skipped" both acted upon.
      expect(answered.length + failed.length, label).toBeLessThanOrEqual(1);
      const first = order[0]?.id;
      if (first === 'answer') {
        expect(
          { state: snapshot.value, operatorId: snapshot.context.operatorId, answered: answered.length },
          label,
        ).toEqual({
          state: 'operator',
          operatorId: 7,
          answered: 1,
        });
      } else if (first === 'zero') {
        expect(
          {
            state: snapshot.value,
            operatorId: snapshot.context.operatorId,
            bot: snapshot.context.botPresent,
          },
          label,
        ).toEqual({
          state: 'operator',
          operatorId: null,
          bot: false,
        });
        expect(answered.length + failed.length, label).toBe(0);
      } else {
        expect({ state: afterFirst.value, failed: failed.length, answered: answered.length }, label).toEqual({
          state: 'bot',
          failed: 1,
          answered: 0,
        });
      }
      outcomes.add(String(afterFirst.value));
    }
    expect(outcomes).toEqual(new Set(['operator', 'bot']));
  });
});
