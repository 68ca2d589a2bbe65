import type { AuthorKind } from '@baton/core';

/** What an event says about a message's author. */
export interface AuthorFacts {
  readonly userId: number;
  readonly isBot: boolean;
  readonly isConnector: boolean;
  readonly isExtranet: boolean;
  /** The chat's client: the last part of `CHAT_ENTITY_ID` (`connector|LINE|CHAT|USER`), if known. */
  readonly clientUserId: number | undefined;
}

/**
 * Classifies a message's author for the engine:
 * - user id `0` → `system` (the platform's own messages);
 * - `IS_BOT=Y` → `bot`;
 * - the chat's client (the user `CHAT_ENTITY_ID` names) → `client`, whatever the other flags say;
 * - a connector user → `client` when the chat's client is not known, else `connector`;
 * - an extranet user who is not the chat's client → `connector`: not an employee, so never an
 *   operator (the platform refuses extranet users as transfer targets), and a message of theirs
 *   must not count as "operator answered";
 * - anyone else (an employee) → `operator`.
 */
export function classifyAuthor(facts: AuthorFacts): AuthorKind {
  if (facts.userId === 0) return 'system';
  if (facts.isBot) return 'bot';
  if (facts.clientUserId === facts.userId) return 'client';
  if (facts.isConnector) return facts.clientUserId === undefined ? 'client' : 'connector';
  if (facts.isExtranet) return 'connector';
  return 'operator';
}

/** Reads `CHAT_ENTITY_ID` (`connector|LINE|CHAT|USER`): the line and the client user. */
export function readChatEntityId(entityId: string | undefined): { lineId?: number; clientUserId?: number } {
  if (entityId === undefined) return {};
  const parts = entityId.split('|');
  if (parts.length < 4) return {};
  const lineId = positiveInteger(parts[1]);
  const clientUserId = positiveInteger(parts[parts.length - 1]);
  return {
    ...(lineId === undefined ? {} : { lineId }),
    ...(clientUserId === undefined ? {} : { clientUserId }),
  };
}

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}
