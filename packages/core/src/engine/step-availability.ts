import type { MachineEvent } from '../machine/machine-events.js';
import { type LifecycleSnapshot, stateOf } from '../machine/snapshot.js';
import type { AvailabilityCheck } from '../policies/availability.js';

/** Events that may start a plan step: a request, a deadline, a skip, a call's outcome. */
const mayStartStep = new Set<MachineEvent['type']>([
  'transfer.request',
  'timer.fired',
  'operator.skipped',
  'effect.result',
]);

/**
 * Adds to an event the plan steps that cannot succeed now, when the event may start one: the
 * machine then skips them in this event's commit. Other events pass unchanged (and cost nothing).
 */
export function createStepAvailability(check: AvailabilityCheck) {
  return async (event: MachineEvent, before: LifecycleSnapshot): Promise<MachineEvent> => {
    if (!mayStartStep.has(event.type)) return event;
    const state = stateOf(before);
    if (event.type === 'transfer.request') {
      return state === 'bot' && event.plan.length > 0
        ? { ...event, unavailable: await check(event.portal, event.plan, 0) }
        : event;
    }
    if (state !== 'transferring' && state !== 'awaitingOperator') return event;
    const { plan, step } = before.context;
    if (step + 1 >= plan.length) return event;
    return { ...event, unavailable: await check(event.portal, plan, step + 1) };
  };
}

export type StepAvailability = ReturnType<typeof createStepAvailability>;
