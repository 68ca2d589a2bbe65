import { chatKeySchema, transferTargetSchema } from '@baton/core/adapter';
import { z } from 'zod';

/** `transfer` arguments, checked before any request. */
export const transferRequestSchema = chatKeySchema.extend({
  target: transferTargetSchema,
  leave: z.boolean(),
});

/**
 * `readDialogOwners` arguments: chats of one portal (an empty list reads nothing). 1 000 at most in
 * one call: 20 requests of 50 chats, already 10 s of a portal's 2 requests a second.
 */
export const dialogReadsSchema = z
  .array(chatKeySchema)
  .max(1_000)
  .refine((chats) => chats.every((chat) => chat.portal === chats[0]?.portal), {
    message: 'every chat of one grouped read must be of the same portal',
  });

/** `sendBotMessage` arguments. The platform refuses empty messages; 20 000 characters is its practical limit. */
export const botMessageSchema = chatKeySchema.extend({ text: z.string().trim().min(1).max(20_000) });

/** `imopenlines.dialog.get`'s answer: only `owner` matters (`0`, or the answering operator). */
export const dialogAnswerSchema = z
  .object({ owner: z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number) })
  .loose();

/** Codes that mean "the bot is not in the chat" for `imbot.chat.leave` (v1) and `imbot.v2.Chat.leave`. */
export const notAMemberCodes: Readonly<Record<'v1' | 'v2', readonly string[]>> = {
  v1: ['WRONG_REQUEST'],
  v2: ['ACCESS_DENIED'],
};
