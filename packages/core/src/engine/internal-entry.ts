import type { InternalEvent } from '../events.js';
import type { DispatchResult } from './dispatcher.js';

/**
 * The key of the engine's internal entry point: where its outbox and timer workers feed call
 * outcomes and fired timers. It is not part of `Engine`'s type, so embedding code cannot fake a
 * transfer's success or skip a deadline by accident; `@baton/core/testing` offers
 * `dispatchInternal` for tests that must play the engine's own part.
 */
export const internalDispatch: unique symbol = Symbol.for('baton.engine.dispatchInternal');

/** An engine, as seen from inside: it also takes its own events. */
export interface InternalEntry {
  readonly [internalDispatch]: (event: InternalEvent) => Promise<DispatchResult>;
}
