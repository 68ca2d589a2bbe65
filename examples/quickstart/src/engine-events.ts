import type { EngineEvents } from '@baton/core';

/** Every engine event's name, for forwarding them between processes. */
export const engineEventNames = [
  'transition',
  'transfer.requested',
  'transfer.succeeded',
  'transfer.failed',
  'operator.answered',
  'bot.left',
  'bot.removalFailed',
  'handoff.failed',
  'timer.fired',
] as const satisfies ReadonlyArray<keyof EngineEvents>;

/** An engine event as sent from a worker process to the demo's timeline. */
export interface ForwardedEvent {
  readonly name: (typeof engineEventNames)[number];
  readonly payload: unknown;
}
