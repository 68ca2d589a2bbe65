import type { LifecycleEvent, PlanStep, TransferRequestEvent } from '../events.js';
import type { StepSkips } from '../policies/availability.js';
import type { ChatContext } from './context.js';

/** A transfer request whose plan the engine has already resolved. */
export type ResolvedTransferRequest = TransferRequestEvent & { readonly plan: PlanStep[] };

/** What the lifecycle machine receives: every engine event, with transfer requests resolved to a plan. */
export type MachineEvent = (
  | Exclude<LifecycleEvent, { type: 'transfer.request' }>
  | ResolvedTransferRequest
) & {
  /**
   * Plan steps (by index) that cannot succeed now, as the engine found them before this event's
   * transition: a step this event starts is skipped, with its reason, in the same commit.
   */
  readonly unavailable?: StepSkips;
};

/** A client's message that is exactly `0`. */
export function isClientZero(event: MachineEvent): boolean {
  return event.type === 'message' && event.author.kind === 'client' && event.text?.trim() === '0';
}

/**
 * The platform ends the bot's part when the client writes exactly `0` — but only while the bot is
 * the session's operator. Once a transfer reached the platform, `0` is an ordinary message.
 */
export function isClientLeavingBot(event: MachineEvent, context: ChatContext): boolean {
  return isClientZero(event) && !context.handedOver && context.botPresent;
}

/**
 * Who answered, according to this event, or `null` when it says nobody did:
 * - any message carrying a non-zero owner (other than the bot itself): that owner;
 * - an employee's ordinary message: its author (a system notice is never an answer by itself:
 *   the platform posts one on a skip, authored by the operator who skipped);
 * - an `operator.answered` event: its operator (`0` when it names none).
 */
export function answerOf(event: MachineEvent): number | null {
  if (event.type === 'operator.answered') return event.operatorId ?? 0;
  if (event.type !== 'message') return null;
  const { ownerId, botId } = event;
  if (ownerId !== undefined && ownerId > 0 && ownerId !== botId) return ownerId;
  if (event.system === true) return null;
  return event.author.kind === 'operator' && event.author.userId > 0 ? event.author.userId : null;
}

/** A message by an employee (not the client, a connector user, a bot or the system) that is not a notice. */
export function isOperatorMessage(event: MachineEvent): boolean {
  return event.type === 'message' && event.system !== true && answerOf(event) !== null;
}
