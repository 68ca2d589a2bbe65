import type { EffectInstruction, Notice, ScheduleInstruction } from './instructions.js';

/** The instructions of one transition, sorted by kind. */
export interface Instructions {
  readonly effects: EffectInstruction[];
  readonly schedules: ScheduleInstruction[];
  /** Timer ids to remove (never `null`). */
  readonly cancels: string[];
  readonly notices: Notice[];
}

interface ActionLike {
  readonly type: string;
  readonly params?: unknown;
}

/**
 * Sorts the actions returned by XState's `transition()` into instructions. A timer both
 * cancelled and scheduled in one transition keeps the schedule (its id is new anyway).
 */
export function readInstructions(actions: readonly ActionLike[]): Instructions {
  const result: Instructions = { effects: [], schedules: [], cancels: [], notices: [] };
  for (const action of actions) {
    switch (action.type) {
      case 'effect':
        result.effects.push(action.params as EffectInstruction);
        break;
      case 'schedule':
        result.schedules.push(action.params as ScheduleInstruction);
        break;
      case 'cancel': {
        const { id } = action.params as { id: string | null };
        if (id !== null) result.cancels.push(id);
        break;
      }
      case 'notify':
        result.notices.push(action.params as Notice);
        break;
      default:
        break; // xstate.assign and friends have already been applied to the snapshot
    }
  }
  const scheduled = new Set(result.schedules.map((s) => s.id));
  return { ...result, cancels: result.cancels.filter((id) => !scheduled.has(id)) };
}
