import type { DispatchResult } from '../engine/dispatcher.js';
import type { Engine } from '../engine/engine.js';
import { type InternalEntry, internalDispatch } from '../engine/internal-entry.js';
import type { InternalEvent } from '../events.js';

/**
 * Feeds an engine one of its own events (`effect.result`, `timer.fired`), as its workers do: for
 * tests that play a worker's part, e.g. fire one timer without running the outbox.
 */
export function dispatchInternal(engine: Engine, event: InternalEvent): Promise<DispatchResult> {
  return (engine as Engine & InternalEntry)[internalDispatch](event);
}
