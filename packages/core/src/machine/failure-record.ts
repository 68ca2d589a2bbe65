import { truncateMessage } from '../contracts/logger.js';
import type { ChatContext } from './context.js';
import type { MachineEvent } from './machine-events.js';

/** The failure a chat keeps as `lastError`. */
export type LastError = NonNullable<ChatContext['lastError']>;

/**
 * When the engine received the event (engine clock), if it said: the engine stamps `at` on every
 * event it feeds the machine, so that the machine itself stays free of clocks.
 */
export function eventTime(event: MachineEvent): number | undefined {
  const at = (event as { readonly at?: unknown }).at;
  return typeof at === 'number' && Number.isFinite(at) && at >= 0 ? at : undefined;
}

/**
 * A failure with everything needed to tell what went wrong at 3 a.m.: its code and message, the
 * plan step and target it concerned, and when. The message is cut to 500 characters, so that a
 * long platform answer never bloats the stored chat.
 */
export function describeFailure(
  failure: { readonly code: string; readonly retryable: boolean; readonly message?: string | undefined },
  context: ChatContext,
  event: MachineEvent,
): LastError {
  const step = context.plan[context.step];
  const at = eventTime(event);
  return {
    code: failure.code,
    retryable: failure.retryable,
    ...(failure.message === undefined || failure.message === ''
      ? {}
      : { message: truncateMessage(failure.message) }),
    ...(step === undefined ? {} : { step: context.step, target: step.target }),
    ...(at === undefined ? {} : { at }),
  };
}
