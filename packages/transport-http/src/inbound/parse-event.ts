import { batonEventSchema, describeZodIssues } from '@baton/core/adapter';
import type { z } from 'zod';
import { BitrixError } from '../errors.js';
import type { InboundEnvelope, NormalizedEvent } from './normalized.js';
import { normalizeV1 } from './v1-events.js';
import { normalizeV2Data } from './v2-events.js';

/**
 * Turns an envelope into an engine event (or "ignored"), and checks the result against the
 * engine's own event schema so that nothing invalid is ever handed on. Throws `INVALID_PAYLOAD`.
 */
export function normalizeEvent(envelope: InboundEnvelope): NormalizedEvent {
  const outcome = envelope.type.startsWith('ONIMBOTV2')
    ? normalizeV2Data(envelope.type, envelope.portal, envelope.data, {
        eventId: envelope.eventId,
        ts: envelope.ts,
      })
    : normalizeV1(envelope);
  if (isZodError(outcome)) throw invalidPayload(envelope, outcome);
  if (outcome.kind === 'event') {
    const checked = batonEventSchema.safeParse(outcome.event);
    if (!checked.success) throw invalidPayload(envelope, checked.error);
  }
  return outcome;
}

function isZodError(value: NormalizedEvent | z.ZodError): value is z.ZodError {
  return !('kind' in value);
}

function invalidPayload(envelope: InboundEnvelope, error: z.ZodError): BitrixError {
  const issues = describeZodIssues(error);
  return new BitrixError(
    'INVALID_PAYLOAD',
    `Invalid ${envelope.type} payload: ${issues.join('; ')}`,
    { portal: envelope.portal, status: 400, issues },
    error,
  );
}
