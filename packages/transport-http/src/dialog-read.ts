import type { DialogOwner, TransportResult } from '@baton/core';
import { z } from 'zod';
import { BitrixError, toTransportFailure } from './errors.js';
import { isRetryableFailure } from './rest/classify-failure.js';
import type { BitrixClient } from './rest/client.js';
import type { RestParams } from './rest/encode-params.js';
import type { ResolvedPortal } from './rest/resolve-portal.js';
import { dialogAnswerSchema } from './transport-requests.js';

/** Member-list errors that mean "the bot is not in the chat" (or may not look at it any more). */
const notAMemberCodes = new Set(['ACCESS_ERROR', 'WRONG_REQUEST', 'ACCESS_DENIED']);
/** The portal does not serve `batch`: read the owner alone. */
const noBatchCodes = new Set(['ERROR_METHOD_NOT_FOUND', 'METHOD_NOT_FOUND']);

const innerErrorSchema = z
  .object({
    error: z.string().min(1).max(200),
    error_description: z.string().max(10_000).optional().catch(undefined),
  })
  .loose();

/** PHP writes an empty map as `[]`: either shape is a map of command name → value. */
const phpMap = <T extends z.ZodType>(value: T) =>
  z.union([
    z.record(z.string().max(64), value),
    z
      .array(z.unknown())
      .max(0)
      .transform(() => ({}) as Record<string, z.output<T>>),
  ]);

/** `batch`'s answer: `{ result, result_error, result_total, result_next, result_time }`. */
const batchAnswerSchema = z
  .object({ result: phpMap(z.unknown()), result_error: phpMap(innerErrorSchema).optional() })
  .loose();

/** `imbot.chat.user.list`'s answer: the members' ids (a list, or a map PHP did not re-index). */
const memberIdsSchema = z
  .union([z.array(z.unknown()).max(100_000), z.record(z.string(), z.unknown())])
  .transform((ids) => (Array.isArray(ids) ? ids : Object.values(ids)).map(Number));

type ReadOutcome = TransportResult<DialogOwner>;
type Failure = { readonly ok: false; readonly error: ReturnType<typeof toTransportFailure> };
const fail = (error: BitrixError): Failure => ({ ok: false, error: toTransportFailure(error) });

/**
 * Chats whose dialogs one grouped `batch` reads: it holds 50 commands, one `imopenlines.dialog.get`
 * per chat (polls need only the owner; a single read also asks for the bot's membership).
 */
export const chatsPerBatch = 50;

/** Reads a dialog's owner and the bot's membership for `readDialogOwner`. */
export type DialogReader = (
  chatId: number,
  portal: ResolvedPortal,
  clientIdParam: RestParams,
  signal: AbortSignal | undefined,
) => Promise<ReadOutcome>;

/** Reads several dialogs of one portal for `readDialogOwners`: one outcome per chat, in order. */
export type DialogsReader = (
  chatIds: readonly number[],
  portal: ResolvedPortal,
  clientIdParam: RestParams,
  signal: AbortSignal | undefined,
) => Promise<ReadOutcome[]>;

/** The names of a chat's commands: `owner`/`members` alone, a numbered owner in a grouped read. */
const commandNames = (index: number, alone: boolean) =>
  alone ? { owner: 'owner', members: 'members' } : { owner: `owner${index}`, members: undefined };

/**
 * Reads the owner and the bot's membership in one HTTP request: `batch` (`halt=0`) with
 * `imopenlines.dialog.get` and `imbot.chat.user.list`. A grouped read (the engine's polls) asks for
 * the owners alone: one `imopenlines.dialog.get` per chat, up to 50 chats a request, each request
 * its own rate grant; more chats are split. A portal that answers `batch` with
 * `ERROR_METHOD_NOT_FOUND` is remembered and read with `imopenlines.dialog.get` alone, a request
 * per chat (no `botPresent`); while the first read of a portal finds that out, concurrent reads
 * wait for it.
 */
export function createDialogReader(client: BitrixClient): { readOne: DialogReader; readMany: DialogsReader } {
  const withoutBatch = new Set<string>();
  const probed = new Set<string>();
  const probes = new Map<string, Promise<unknown>>();

  async function readPlain(chatId: number, portal: ResolvedPortal, signal: AbortSignal | undefined) {
    const method = 'imopenlines.dialog.get';
    const answer = await client.call(portal.portal, method, { CHAT_ID: chatId }, signal ? { signal } : {});
    if (!answer.ok) return fail(answer.error);
    return ownerFrom(answer.result, portal, method);
  }

  /** One `batch` request: one chat with its membership, or up to 50 chats' owners. */
  async function readBatch(
    chatIds: readonly number[],
    portal: ResolvedPortal,
    clientIdParam: RestParams,
    signal: AbortSignal | undefined,
  ): Promise<ReadOutcome[] | 'noBatch'> {
    const alone = chatIds.length === 1;
    const cmd: Record<string, string> = {};
    for (const [index, chatId] of chatIds.entries()) {
      const names = commandNames(index, alone);
      cmd[names.owner] = `imopenlines.dialog.get?${new URLSearchParams({ CHAT_ID: String(chatId) })}`;
      if (names.members !== undefined) {
        const members = new URLSearchParams({ CHAT_ID: String(chatId), BOT_ID: String(portal.bot.id) });
        for (const [key, value] of Object.entries(clientIdParam)) members.set(key, String(value));
        cmd[names.members] = `imbot.chat.user.list?${members}`;
      }
    }
    const answer = await client.call(portal.portal, 'batch', { halt: 0, cmd }, signal ? { signal } : {});
    if (!answer.ok) {
      if (noBatchCodes.has(answer.error.code)) return 'noBatch';
      const failure = fail(answer.error);
      return chatIds.map(() => failure);
    }
    const batch = batchAnswerSchema.safeParse(answer.result);
    if (!batch.success) {
      const failure = fail(invalidResponse(portal, 'batch', 'the answer is not a batch result'));
      return chatIds.map(() => failure);
    }
    const results = batch.data.result;
    const errors = batch.data.result_error ?? {};
    return chatIds.map((_, index): ReadOutcome => {
      const names = commandNames(index, alone);
      const ownerError = errors[names.owner];
      if (ownerError)
        return fail(
          innerError(portal, 'imopenlines.dialog.get', ownerError.error, ownerError.error_description),
        );
      if (!(names.owner in results))
        return fail(invalidResponse(portal, 'batch', `the ${names.owner} command has no answer`));
      const owner = ownerFrom(results[names.owner], portal, 'imopenlines.dialog.get');
      if (!owner.ok || names.members === undefined) return owner;
      const botPresent = membership(results[names.members], errors[names.members]?.error, portal.bot.id);
      return { ok: true, value: { ...owner.value, ...(botPresent === undefined ? {} : { botPresent }) } };
    });
  }

  /** Reads one chat, or up to 50 chats' owners, with `batch`, learning on a portal's first read whether it serves `batch`. */
  async function readChunk(
    chatIds: readonly number[],
    portal: ResolvedPortal,
    clientIdParam: RestParams,
    signal: AbortSignal | undefined,
  ): Promise<ReadOutcome[]> {
    const key = portal.portal;
    const probe = probes.get(key);
    if (probe) await probe;
    if (withoutBatch.has(key)) return Promise.all(chatIds.map((chatId) => readPlain(chatId, portal, signal)));
    const attempt = readBatch(chatIds, portal, clientIdParam, signal).then((outcome) => {
      probed.add(key);
      if (outcome === 'noBatch') withoutBatch.add(key);
      return outcome;
    });
    if (!probed.has(key) && !probes.has(key)) {
      probes.set(
        key,
        attempt.finally(() => probes.delete(key)),
      );
    }
    const outcome = await attempt;
    return outcome === 'noBatch'
      ? Promise.all(chatIds.map((chatId) => readPlain(chatId, portal, signal)))
      : outcome;
  }

  return {
    readOne: async (chatId, portal, clientIdParam, signal) => {
      const [outcome] = await readChunk([chatId], portal, clientIdParam, signal);
      return outcome ?? fail(invalidResponse(portal, 'batch', 'the read gave no outcome'));
    },
    readMany: async (chatIds, portal, clientIdParam, signal) => {
      const chunks: number[][] = [];
      for (let from = 0; from < chatIds.length; from += chatsPerBatch) {
        chunks.push(chatIds.slice(from, from + chatsPerBatch));
      }
      const outcomes = await Promise.all(
        chunks.map((chunk) => readChunk(chunk, portal, clientIdParam, signal)),
      );
      return outcomes.flat();
    },
  };
}

/** The owner from `imopenlines.dialog.get`'s answer; the bot itself owning the dialog is reported as `0`. */
function ownerFrom(
  result: unknown,
  portal: ResolvedPortal,
  method: string,
): TransportResult<{ ownerId: number }> {
  const dialog = dialogAnswerSchema.safeParse(result);
  if (!dialog.success) return fail(invalidResponse(portal, method, 'the answer has no numeric owner'));
  return { ok: true, value: { ownerId: dialog.data.owner === portal.bot.id ? 0 : dialog.data.owner } };
}

/** `true`/`false` when the member list (or its error) tells; `undefined` when it cannot be read. */
function membership(members: unknown, errorCode: string | undefined, botId: number): boolean | undefined {
  if (errorCode !== undefined) return notAMemberCodes.has(errorCode) ? false : undefined;
  const ids = memberIdsSchema.safeParse(members);
  return ids.success ? ids.data.includes(botId) : undefined;
}

function invalidResponse(portal: ResolvedPortal, method: string, what: string): BitrixError {
  return new BitrixError('INVALID_RESPONSE', `${method} on ${portal.portal}: ${what}`, {
    portal: portal.portal,
    method,
    status: 200,
  });
}

function innerError(portal: ResolvedPortal, method: string, code: string, description: string | undefined) {
  const detail = description ? `: ${description.slice(0, 500)}` : '';
  return new BitrixError(code, `${method} on ${portal.portal} failed with ${code} (in batch)${detail}`, {
    portal: portal.portal,
    method,
    retryable: isRetryableFailure(code, undefined),
  });
}
