import { BatonError, invalidInput } from '../errors.js';
import { type BatonEvent, type BatonEventInput, batonEventSchema, internalEventSchema } from '../events.js';

const internalEventTypes: ReadonlySet<unknown> = new Set(
  internalEventSchema.options.map((option) => option.shape.type.value),
);
const isInternalEventType = (input: unknown): boolean =>
  typeof input === 'object' && input !== null && internalEventTypes.has((input as { type?: unknown }).type);

/**
 * Validates an event a caller dispatches. The engine's own events (`effect.result`,
 * `timer.fired`) are refused: only the engine knows its calls' outcomes and its timers.
 * Throws `INVALID_INPUT`, naming the event's chat and id when it has them.
 */
export function parseCallerEvent(input: BatonEventInput): BatonEvent {
  const parsed = batonEventSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  if (isInternalEventType(input)) {
    throw new BatonError(
      'INVALID_INPUT',
      `Invalid event: ${String((input as { type: unknown }).type)} is made by the engine itself and cannot be dispatched`,
    );
  }
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const context = {
    ...(typeof raw.portal === 'string' ? { portal: raw.portal } : {}),
    ...(typeof raw.chatId === 'number' ? { chatId: raw.chatId } : {}),
    ...(typeof raw.id === 'string' ? { eventId: raw.id } : {}),
  };
  throw invalidInput('event', parsed.error, context);
}
