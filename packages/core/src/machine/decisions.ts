import type { PlanStep } from '../events.js';
import type { ChatContext } from './context.js';
import type { MachineEvent } from './machine-events.js';
import type { ResolvedLifecycleOptions } from './options.js';

type Args = { context: ChatContext; event: MachineEvent };

/** The plan step being tried. The machine enters `transferring` only with a non-empty plan. */
export function currentStep(context: ChatContext): PlanStep {
  const step = context.plan[context.step];
  if (step === undefined)
    throw new Error(`plan step ${context.step} missing (plan of ${context.plan.length})`);
  return step;
}

export function hasNextStep({ context }: Args): boolean {
  return context.step + 1 < context.plan.length;
}

/** The result of the call this state waits for (any other result is stale). */
export function isAwaitedResult({ context, event }: Args): boolean {
  return event.type === 'effect.result' && event.effectId === context.awaitedEffect;
}

export function isAwaitedSuccess(args: Args): boolean {
  return isAwaitedResult(args) && args.event.type === 'effect.result' && args.event.outcome.ok;
}

/** With `LEAVE=Y` to a user the platform removes the bot at once; queues ignore LEAVE. */
export function leavesOnTransfer(context: ChatContext): boolean {
  const step = currentStep(context);
  return step.leave && step.target.kind === 'user';
}

export function canRetry(args: Args, attempt: number, maxAttempts: number): boolean {
  const { event } = args;
  return (
    isAwaitedResult(args) &&
    event.type === 'effect.result' &&
    !event.outcome.ok &&
    event.outcome.retryable &&
    attempt < maxAttempts
  );
}

export function firedTimer({ event }: Args): string | null {
  return event.type === 'timer.fired' ? event.timerId : null;
}

/** An id unique within the chat: the session, then the chat's sequence number. */
export function nextId(context: ChatContext, kind: string): string {
  return `${kind}:${context.session}.${context.seq + 1}`;
}

/** The failure carried by an effect result (`UNKNOWN` if it was a success). */
export function failureOf(event: MachineEvent): { code: string; retryable: boolean; retryAfterMs?: number } {
  if (event.type === 'effect.result' && !event.outcome.ok) {
    const { code, retryable, retryAfterMs } = event.outcome;
    return retryAfterMs === undefined ? { code, retryable } : { code, retryable, retryAfterMs };
  }
  return { code: 'UNKNOWN', retryable: false };
}

export type { ResolvedLifecycleOptions };
