/** What a delivery carries that can tell one join from another. */
export interface JoinIdSources {
  /** The new session's id (`CHAT_ENTITY_DATA_1`, field 6). */
  readonly sessionId: number | undefined;
  /** The v2 fetch-mode event id. */
  readonly deliveryId: string | undefined;
  /** The delivery's `ts` (seconds), as a webhook carries it. */
  readonly ts: string | undefined;
}

/**
 * A message event's id: the message id, so a redelivery and a v2 fetch-mode duplicate of the
 * same message dedupe to one event.
 */
export function messageEventId(portal: string, messageId: number): string {
  return `bitrix:${portal}:message:${messageId}`;
}

/**
 * A `bot.joined` event's id. A join has no message id, so the id is built from what the delivery
 * carries, most stable first:
 * - the session id: one session has one join that matters, so every delivery of it (a webhook
 *   and a fetch-mode duplicate, or the bot re-added within the same session, which changes
 *   nothing for the engine) dedupes to one event;
 * - else the fetch-mode event id, which is the same for every re-fetch of that event;
 * - else the webhook's `ts`: webhooks are never redelivered, and two joins of one chat within
 *   the same second are not two sessions the engine could tell apart anyway.
 * `undefined` when the delivery carries none of them.
 */
export function joinEventId(portal: string, chatId: number, sources: JoinIdSources): string | undefined {
  const prefix = `bitrix:${portal}:joined:${chatId}`;
  if (sources.sessionId !== undefined) return `${prefix}:session:${sources.sessionId}`;
  if (sources.deliveryId !== undefined) return `${prefix}:event:${sources.deliveryId}`;
  if (sources.ts !== undefined) return `${prefix}:ts:${sources.ts}`;
  return undefined;
}
