import type { ChatContext } from './context.js';
import type { Notice } from './instructions.js';
import type { MachineEvent } from './machine-events.js';

/**
 * The skips of steps `from` up to (not including) `to`, as the event marks them: the notices to
 * emit and the context's `skips` with them added. Recorded in the commit that starts step `to`.
 */
export function skipsBetween(
  context: ChatContext,
  event: MachineEvent,
  from: number,
  to: number,
): { notices: Notice[]; skips: ChatContext['skips'] } {
  const notices: Notice[] = [];
  const skips = [...context.skips];
  for (let index = from; index < to; index += 1) {
    const reason = event.unavailable?.[index];
    const step = context.plan[index];
    if (reason === undefined || step === undefined) continue;
    notices.push({ type: 'step.skipped', target: step.target, step: index, reason });
    skips.push({ step: index, reason });
  }
  return { notices, skips: skips.slice(-32) };
}
