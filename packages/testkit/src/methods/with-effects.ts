import { createEffects, type TrackedEffects } from '../model/activity.js';
import type { CallContext } from './context.js';

/**
 * Runs a session rule for a REST call. The bot hears the rule's notices in the background: the
 * call answers without waiting for the bot's handler, as the platform does.
 */
export function withEffects<T>(context: CallContext, rule: (effects: TrackedEffects) => T): T {
  const effects = createEffects(context.runtime, context.portal);
  try {
    return rule(effects);
  } finally {
    context.runtime.background(effects.settled());
  }
}
