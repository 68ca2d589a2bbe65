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

/** The first step at or after `from` that the event does not mark unavailable; `-1` when none. */
export function firstAvailableStep(context: ChatContext, event: MachineEvent, from: number): number {
  for (let index = from; index < context.plan.length; index += 1) {
    if (event.unavailable?.[index] === undefined) return index;
  }
  return -1;
}

/** Whether a later step of the plan can be tried now. */
export function hasNextStep({ context, event }: Args): boolean {
  return firstAvailableStep(context, event, context.step + 1) !== -1;
}

/** The result of the call this state waits for (any other result is stale). */
export function isAwaitedResult({ context, event }: Args): boolean {
  return event.type === 'effect.result' && event.effectId === context.awaitedEffect;
}

/** The awaited call succeeded (the read settling an unknown outcome is not the call itself). */
export function isAwaitedSuccess(args: Args): boolean {
  return (
    isAwaitedResult(args) &&
    args.context.verifying === null &&
    args.event.type === 'effect.result' &&
    args.event.outcome.ok
  );
}

/** With `LEAVE=Y` to a user the platform removes the bot at once; queues ignore LEAVE. */
export function leavesOnTransfer(context: ChatContext): boolean {
  const step = currentStep(context);
  return step.leave && step.target.kind === 'user';
}

/** The awaited call failed (or its unknown outcome could not be settled) and may be tried again. */
export function canRetry(args: Args, attempt: number, maxAttempts: number): boolean {
  if (!isAwaitedResult(args)) return false;
  const { event, context } = args;
  const failed = context.verifying !== null || (event.type === 'effect.result' && !event.outcome.ok);
  return failed && failureOf(event, context).retryable && attempt < maxAttempts;
}

export function firedTimer({ event }: Args): string | null {
  return event.type === 'timer.fired' ? event.timerId : null;
}

/** An id unique within the chat: the session, then the chat's sequence number. */
export function nextId(context: ChatContext, kind: string): string {
  return `${kind}:${context.session}.${context.seq + 1}`;
}

/** A platform call's failure, as the machine keeps it. */
export interface Failure {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** `target` when left out. */
  readonly kind?: 'target' | 'budget' | 'transient';
  readonly outcomeUnknown?: boolean;
  /** No request was sent: retried without charging the step. */
  readonly notSent?: boolean;
  /** The transport's description, when it gave one. */
  readonly message?: string;
}

/** A failure without the fields it does not carry (the context is plain JSON, `exactOptionalPropertyTypes`). */
function toFailure(source: {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number | undefined;
  readonly kind?: Failure['kind'] | undefined;
  readonly outcomeUnknown?: boolean | undefined;
  readonly notSent?: boolean | undefined;
  readonly message?: string | undefined;
}): Failure {
  const { code, retryable, retryAfterMs, kind, outcomeUnknown, notSent, message } = source;
  return {
    code,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(kind === undefined ? {} : { kind }),
    ...(outcomeUnknown === undefined ? {} : { outcomeUnknown }),
    ...(notSent === true ? { notSent } : {}),
    ...(message === undefined ? {} : { message }),
  };
}

/** The result of the read that settles a transfer whose outcome was unknown. */
export function isVerifyResult(args: Args): boolean {
  return isAwaitedResult(args) && args.context.verifying !== null;
}

/** What the verifying read found, when it found anything. */
export function verifiedDialog({ context, event }: Args): { ownerId: number; botPresent?: boolean } | null {
  if (
    context.verifying === null ||
    event.type !== 'effect.result' ||
    event.effectId !== context.awaitedEffect
  )
    return null;
  if (!event.outcome.ok) return null;
  const { ownerId = 0, botPresent } = event.outcome;
  return botPresent === undefined ? { ownerId } : { ownerId, botPresent };
}

/**
 * Whether an answer belongs to the step being tried: a user step's own operator; for a queue
 * step, anyone but an earlier step's user (whose answer may have been overtaken by this step's
 * transfer). `0` (an explicit answer naming nobody) always belongs.
 */
export function belongsToStep(context: ChatContext, operatorId: number): boolean {
  if (operatorId === 0 || context.plan.length === 0) return true;
  const { target } = currentStep(context);
  if (target.kind === 'user') return target.userId === operatorId;
  return !context.plan
    .slice(0, context.step)
    .some((step) => step.target.kind === 'user' && step.target.userId === operatorId);
}

/**
 * The failure the machine acts on: the event's own, or — for the read that settles an unknown
 * outcome and found nothing conclusive — the failure that asked for the read.
 */
export function failureOf(event: MachineEvent, context: ChatContext): Failure {
  // Callers act on the awaited result only (their guards checked it); `awaitedEffect` itself may
  // already be cleared by the state's exit actions, which run before the transition's.
  if (context.verifying && event.type === 'effect.result') return toFailure(context.verifying);
  if (event.type === 'effect.result' && !event.outcome.ok) return toFailure(event.outcome);
  return { code: 'UNKNOWN', retryable: false };
}

export type { ResolvedLifecycleOptions };
