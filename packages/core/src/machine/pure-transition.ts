import { type ActionExecutor, type AnyActorScope, createActor } from 'xstate';
import type { ChatKey } from '../chat-key.js';
import type { MachineEvent } from './machine-events.js';
import type { LifecycleMachine, LifecycleSnapshot } from './snapshot.js';

/** What one event does to a snapshot: the next snapshot and the actions to execute, in order. */
export interface PureTransition {
  (snapshot: LifecycleSnapshot, event: MachineEvent): [LifecycleSnapshot, Parameters<ActionExecutor>[0][]];
  /** A new chat's first snapshot (its entry actions are not needed: the first event follows). */
  initial(key: ChatKey): LifecycleSnapshot;
}

/**
 * XState's pure `transition()`, without its cost per call: `transition()` builds a throwaway
 * actor for every event, and building an actor computes the machine's whole initial snapshot
 * (about a third of a transition's time here). The lifecycle machine spawns and invokes nothing,
 * so one inert scope, built once, serves every transition; each call collects its own actions.
 * Transitions are synchronous, so calls never overlap on the shared scope.
 */
export function createPureTransition(machine: LifecycleMachine): PureTransition {
  // The actor only lends its system and identity to the scope; it is never started.
  const self = createActor(machine, { input: { portal: 'inert', chatId: 1 } });
  const noop = () => {};
  let collected: Parameters<ActionExecutor>[0][] = [];
  const scope: AnyActorScope = {
    self,
    id: '',
    sessionId: '',
    logger: noop,
    defer: noop,
    emit: noop,
    system: self.system,
    stopChild: noop,
    actionExecutor: (action) => {
      collected.push(action);
    },
  };
  const transition = (snapshot: LifecycleSnapshot, event: MachineEvent): ReturnType<PureTransition> => {
    collected = [];
    const next = machine.transition(snapshot, event, scope);
    const actions = collected;
    collected = [];
    return [next, actions];
  };
  return Object.assign(transition, {
    initial(key: ChatKey): LifecycleSnapshot {
      collected = [];
      const first = machine.getInitialSnapshot(scope, { portal: key.portal, chatId: key.chatId });
      collected = [];
      return first;
    },
  });
}
