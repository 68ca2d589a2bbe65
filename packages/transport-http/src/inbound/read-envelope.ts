import { describeZodIssues, portalIdSchema } from '@baton/core/adapter';
import { z } from 'zod';
import { BitrixError } from '../errors.js';
import type { InboundEnvelope } from './normalized.js';

const envelopeSchema = z.object({
  event: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_]+$/, 'must be an event name'),
  auth: z.object({
    member_id: portalIdSchema,
    application_token: z.string().max(1_000).optional(),
  }),
  data: z.unknown(),
  eventId: z.union([z.string().max(128), z.number()]).optional(),
  // The delivery's time in seconds; only a join's id uses it, so an odd one is dropped, not refused.
  ts: z
    .union([z.string().regex(/^\d{1,15}$/), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
    .optional()
    .catch(undefined),
  event_id: z.union([z.string().max(128), z.number()]).optional(),
});

/** Reads the shared part of any event (type, portal, token, data). Throws `INVALID_PAYLOAD`. */
export function readInboundEnvelope(raw: Record<string, unknown>): InboundEnvelope {
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = describeZodIssues(parsed.error);
    throw new BitrixError('INVALID_PAYLOAD', `Not a Bitrix24 event: ${issues.join('; ')}`, {
      status: 400,
      issues,
    });
  }
  const { event, auth, data, eventId, event_id, ts } = parsed.data;
  const id = eventId ?? event_id;
  return {
    type: event.toUpperCase(),
    portal: auth.member_id,
    applicationToken: auth.application_token,
    data,
    eventId: id === undefined ? undefined : String(id),
    ts: ts === undefined ? undefined : String(ts),
  };
}
