import { truncateMessage } from '../contracts/logger.js';
import type { ChatContext } from './context.js';
import { currentStep, failureOf } from './decisions.js';
import type { Notice } from './instructions.js';
import type { MachineEvent } from './machine-events.js';

/** The transfer step being tried, as notices describe it. */
export function stepNotice(context: ChatContext) {
  const step = currentStep(context);
  return { target: step.target, leave: step.leave, step: context.step };
}

/** A `transfer.failed` notice for the failure the event carries. */
export function transferFailed(
  { context, event }: { context: ChatContext; event: MachineEvent },
  willRetry: boolean,
): Notice {
  const failure = failureOf(event, context);
  return {
    type: 'transfer.failed',
    target: currentStep(context).target,
    step: context.step,
    code: failure.code,
    retryable: failure.retryable,
    willRetry,
    ...(failure.message === undefined ? {} : { message: truncateMessage(failure.message) }),
  };
}
