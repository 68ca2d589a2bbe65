import type { BatonEventInput } from '@baton/core';

/** What a verified, understood inbound event turned into. */
export type NormalizedEvent =
  /** A lifecycle event for the engine. */
  | { readonly kind: 'event'; readonly event: BatonEventInput }
  /**
   * Understood but not for the engine: a chat that is not an Open Lines chat, the bot joining a
   * chat that is not one, a message edit, an event type Baton does not use. Acknowledged, never
   * dispatched.
   */
  | { readonly kind: 'ignored'; readonly reason: string };

/** The envelope every inbound event shares, read before anything else. */
export interface InboundEnvelope {
  /** The event type in upper case, e.g. `ONIMBOTMESSAGEADD`. */
  readonly type: string;
  /** The portal: `auth[member_id]`. */
  readonly portal: string;
  /** `auth[application_token]`, if present. */
  readonly applicationToken: string | undefined;
  /** The event's `data` block. */
  readonly data: unknown;
  /** The v2 fetch-mode / delivery id, when the payload carries one. */
  readonly eventId: string | undefined;
  /** The delivery's `ts` (seconds since the epoch, as sent), when the payload carries one. */
  readonly ts?: string | undefined;
}
