import { z } from 'zod';

/**
 * A portal's identity: its `member_id` (preferred) or its domain.
 * Chat ids are unique only inside one portal, so every chat is addressed by both.
 */
export const portalIdSchema = z
  .string()
  .min(1, 'portal must not be empty')
  .max(255, 'portal must be at most 255 characters');

/** A Bitrix24 chat id: a positive integer. */
export const chatIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Where a chat lives: `(portal, chatId)`. */
export const chatKeySchema = z.object({ portal: portalIdSchema, chatId: chatIdSchema });

/** The identity of one chat: the portal it belongs to and its id there. */
export interface ChatKey {
  /** The portal's `member_id` (or domain). */
  readonly portal: string;
  /** The chat's id on that portal (`CHAT_ID`). */
  readonly chatId: number;
}

/** A readable, unambiguous label for logs and errors; not a storage key. */
export function formatChatKey(key: ChatKey): string {
  return `${JSON.stringify(key.portal)}#${key.chatId}`;
}
