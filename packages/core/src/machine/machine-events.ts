import type { LifecycleEvent, MessageEvent, PlanStep, TransferRequestEvent } from '../events.js';

/** A transfer request whose plan the engine has already resolved. */
export type ResolvedTransferRequest = TransferRequestEvent & { readonly plan: PlanStep[] };

/** What the lifecycle machine receives: every engine event, with transfer requests resolved to a plan. */
export type MachineEvent = Exclude<LifecycleEvent, { type: 'transfer.request' }> | ResolvedTransferRequest;

/** The platform ends the bot's part when a client writes exactly `0` in an Open Lines chat. */
export function isClientLeavingBot(event: MachineEvent): boolean {
  return event.type === 'message' && event.author.kind === 'client' && event.text?.trim() === '0';
}

/** A message by an employee (not the client, a connector user, a bot or the system) means an operator answered. */
export function isOperatorMessage(event: MachineEvent): event is MessageEvent {
  return event.type === 'message' && event.author.kind === 'operator' && event.author.userId > 0;
}
