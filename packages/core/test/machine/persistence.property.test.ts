import { createLifecycleMachine } from '@baton/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { MachineEvent } from '../../src/machine/machine-events.js';
import { readInstructions } from '../../src/machine/read-instructions.js';
import { type LifecycleSnapshot, persistSnapshot, restoreSnapshot } from '../../src/machine/snapshot.js';

const key = { portal: 'prop-portal', chatId: 77 };
const machine = createLifecycleMachine({ confirmationPollIntervalMs: 1_000 });

/**
 * Events are generated as "intents" and bound to the chat's live ids when applied, so that
 * effect results and timers hit the ids the machine is waiting for as often as stale ones.
 */
type Intent =
  | { kind: 'client'; text: string }
  | { kind: 'operatorMessage'; userId: number }
  | { kind: 'transfer'; steps: Array<{ user: boolean; id: number; leave: boolean }> }
  | { kind: 'answered' }
  | { kind: 'skipped' }
  | { kind: 'botRemoved' }
  | { kind: 'finished' }
  | { kind: 'result'; ok: boolean; retryable: boolean; ownerId: number; stale: boolean }
  | { kind: 'timer'; which: 'confirmation' | 'retry' | 'poll' | 'stale' };

const intent: fc.Arbitrary<Intent> = fc.oneof(
  fc.record({ kind: fc.constant('client' as const), text: fc.constantFrom('hi', '0', 'help') }),
  fc.record({ kind: fc.constant('operatorMessage' as const), userId: fc.integer({ min: 1, max: 3 }) }),
  fc.record({
    kind: fc.constant('transfer' as const),
    steps: fc.array(
      fc.record({ user: fc.boolean(), id: fc.integer({ min: 1, max: 5 }), leave: fc.boolean() }),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
  }),
  fc.constant({ kind: 'answered' as const }),
  fc.constant({ kind: 'skipped' as const }),
  fc.constant({ kind: 'botRemoved' as const }),
  fc.constant({ kind: 'finished' as const }),
  fc.record({
    kind: fc.constant('result' as const),
    ok: fc.boolean(),
    retryable: fc.boolean(),
    ownerId: fc.integer({ min: 0, max: 3 }),
    stale: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('timer' as const),
    which: fc.constantFrom('confirmation', 'retry', 'poll', 'stale'),
  }),
);

function toEvent(intent: Intent, snapshot: LifecycleSnapshot, n: number): MachineEvent {
  const base = { id: `e${n}`, portal: key.portal, chatId: key.chatId };
  const ctx = snapshot.context;
  switch (intent.kind) {
    case 'client':
      return { ...base, type: 'message', author: { userId: 500, kind: 'client' }, text: intent.text };
    case 'operatorMessage':
      return { ...base, type: 'message', author: { userId: intent.userId, kind: 'operator' } };
    case 'transfer':
      return {
        ...base,
        type: 'transfer.request',
        plan: intent.steps.map((s) => ({
          target: s.user ? { kind: 'user', userId: s.id } : { kind: 'queue', queueId: s.id },
          leave: s.leave,
          confirmationTimeoutMs: 1_000,
        })),
      };
    case 'answered':
      return { ...base, type: 'operator.answered', source: 'explicit' };
    case 'skipped':
      return { ...base, type: 'operator.skipped' };
    case 'botRemoved':
      return { ...base, type: 'bot.removed', reason: 'kicked' };
    case 'finished':
      return { ...base, type: 'session.finished' };
    case 'result':
      return {
        ...base,
        type: 'effect.result',
        effectId: intent.stale || ctx.awaitedEffect === null ? 'stale:0' : ctx.awaitedEffect,
        outcome: intent.ok
          ? { ok: true, ownerId: intent.ownerId }
          : { ok: false, code: 'SOME_ERROR', retryable: intent.retryable },
      };
    case 'timer': {
      const ids = {
        confirmation: ctx.confirmationTimer,
        retry: ctx.retryTimer,
        poll: ctx.pollTimer,
        stale: null,
      };
      return { ...base, type: 'timer.fired', timerId: ids[intent.which] ?? 'stale:0' };
    }
  }
}

describe('persisted snapshots', () => {
  it('a run with a JSON save/restore between every step ends exactly where an uninterrupted run does', () => {
    fc.assert(
      fc.property(fc.array(intent, { minLength: 1, maxLength: 40 }), (intents) => {
        let live = initialTransition(machine, key)[0];
        let restored = live;
        const liveInstructions: unknown[] = [];
        const restoredInstructions: unknown[] = [];
        intents.forEach((next, n) => {
          const event = toEvent(next, live, n);
          const [liveNext, liveActions] = transition(machine, live, event);
          live = liveNext;
          liveInstructions.push(readInstructions(liveActions));

          const stored = JSON.parse(JSON.stringify(persistSnapshot(restored)));
          const [restoredNext, restoredActions] = transition(
            machine,
            restoreSnapshot(machine, stored, key),
            event,
          );
          restored = restoredNext;
          restoredInstructions.push(readInstructions(restoredActions));
        });
        expect(restored.value).toEqual(live.value);
        expect(restored.context).toEqual(live.context);
        expect(restoredInstructions).toEqual(liveInstructions);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a stored snapshot that does not match the machine', () => {
    expect(() => restoreSnapshot(machine, { value: 'lost', context: {} }, key)).toThrow(/does not match/);
    expect(() =>
      restoreSnapshot(machine, { schemaVersion: 2, value: 'bot', context: { session: 'one' } }, key),
    ).toThrow(/does not match/);
    // A full context (as older versions stored it) names its chat, which must be the key's.
    const initial = initialTransition(machine, key)[0];
    const full = { ...persistSnapshot(initial), context: initial.context };
    expect(() => restoreSnapshot(machine, full, { portal: 'other', chatId: 77 })).toThrow(/another chat/);
  });

  it('stores a chat compactly: no key, no field at its initial value; full contexts read the same', () => {
    const [initial] = initialTransition(machine, key);
    const asked = machine.resolveState({
      value: 'awaitingOperator',
      context: { ...initial.context, step: 1, operatorId: 1_234_567, reason: 'client asked for a person' },
    });
    const stored = persistSnapshot(asked);
    expect(stored.context.portal).toBeUndefined();
    expect(JSON.stringify(persistSnapshot(initial))).toBe('{"schemaVersion":2,"value":"bot","context":{}}');
    expect(restoreSnapshot(machine, JSON.parse(JSON.stringify(stored)), key).context).toEqual(asked.context);
    const full = { ...stored, context: asked.context };
    expect(restoreSnapshot(machine, full, key).context).toEqual(asked.context);
  });
});
