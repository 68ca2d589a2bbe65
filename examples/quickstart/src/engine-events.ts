import { engineEventNames } from '@baton/core';

/** The engine events a worker forwards to the demo's timeline (errors it logs itself). */
export const forwardedEventNames = engineEventNames.filter(
  (name): name is Exclude<(typeof engineEventNames)[number], 'error'> => name !== 'error',
);

/** An engine event as sent from a worker process to the demo's timeline. */
export interface ForwardedEvent {
  readonly name: (typeof forwardedEventNames)[number];
  readonly payload: unknown;
}
