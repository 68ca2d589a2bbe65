import type {
  BotRemoval,
  CallOptions,
  ChatKey,
  DialogOwner,
  TransferRequest,
  Transport,
  TransportResult,
} from '@baton/core';
import { chatKeySchema } from '@baton/core/adapter';
import type { z } from 'zod';
import { createDialogReader } from './dialog-read.js';
import { BitrixError, invalidInputError, toTransportFailure } from './errors.js';
import { type BitrixClient, createBitrixClient } from './rest/client.js';
import type { BitrixClientOptions } from './rest/client-options.js';
import type { RestParams } from './rest/encode-params.js';
import type { ResolvedPortal } from './rest/resolve-portal.js';
import {
  botMessageSchema,
  dialogReadsSchema,
  notAMemberCodes,
  transferRequestSchema,
} from './transport-requests.js';

/** Options of `createBitrixTransport`: those of the REST client (see `BitrixClientOptions`). */
export type BitrixTransportOptions = BitrixClientOptions;

/** The core `Transport` over Bitrix24 REST, plus the REST client it runs on. */
export interface BitrixTransport extends Required<Transport> {
  /** The underlying client, for REST methods the transport does not wrap (and the fetch poller). */
  readonly client: BitrixClient;
}

/** One REST call a transport method makes. */
interface OutboundCall {
  readonly method: string;
  readonly params: RestParams;
}

type Failure = { readonly ok: false; readonly error: ReturnType<typeof toTransportFailure> };
const fail = (error: BitrixError): Failure => ({ ok: false, error: toTransportFailure(error) });

/**
 * Creates the Bitrix24 transport. It takes a grant from its `rateLimiter` per HTTP request and
 * exposes that limiter (`transport.rateLimiter`): the engine takes none. With several processes,
 * pass every one the same shared limiter (e.g. `createRedisRateLimiter`); the engine refuses a
 * shared store next to the in-process default. Every method validates its arguments
 * before sending anything and returns failures as data.
 *
 * @example
 * const transport = createBitrixTransport({
 *   portals: { [memberId]: { auth: { type: 'webhook', url: webhookUrl }, bot: { id: botId, clientId } } },
 * });
 * const engine = createEngine({ transport });
 */
export function createBitrixTransport(options: BitrixTransportOptions): BitrixTransport {
  const client = createBitrixClient(options);
  const readDialogs = createDialogReader(client);

  /** Validates, resolves the portal, and calls `method` with the params `build` makes. */
  async function run<S extends z.ZodType, T>(
    what: string,
    schema: S,
    input: unknown,
    callOptions: CallOptions | undefined,
    send: (args: z.output<S>, portal: ResolvedPortal) => OutboundCall,
    read: (result: unknown, portal: ResolvedPortal) => TransportResult<T>,
    onError?: (error: BitrixError, portal: ResolvedPortal) => TransportResult<T> | undefined,
  ): Promise<TransportResult<T>> {
    const parsed = schema.safeParse(input);
    if (!parsed.success) return fail(invalidInputError(`${what} arguments`, parsed.error));
    const args = parsed.data as z.output<S> & ChatKey;
    const portal = await client.portal(args.portal);
    if (portal instanceof BitrixError) return fail(portal);
    const { method, params } = send(args, portal);
    const answer = await client.call(
      args.portal,
      method,
      params,
      callOptions?.signal ? { signal: callOptions.signal } : {},
    );
    if (answer.ok) return read(answer.result, portal);
    return onError?.(answer.error, portal) ?? fail(answer.error);
  }

  /**
   * `CLIENT_ID` identifies the bot's app when calling through a webhook; OAuth calls need none. A
   * v2 bot configured by its token alone sends the token: the platform takes a v2 `botToken` in
   * place of `CLIENT_ID` on the v1 Open Lines methods.
   */
  const clientIdParam = (portal: ResolvedPortal): RestParams => {
    if (portal.authType !== 'webhook') return {};
    const clientId = portal.bot.clientId ?? portal.bot.token;
    return clientId === undefined ? {} : { CLIENT_ID: clientId };
  };
  const botTokenParam = (portal: ResolvedPortal): RestParams =>
    portal.botToken === undefined ? {} : { botToken: portal.botToken };
  const done = (): TransportResult<void> => ({ ok: true, value: undefined });

  return {
    rateLimiter: client.rateLimiter,
    client,

    transfer: (request: TransferRequest, callOptions?: CallOptions) =>
      run(
        'transfer',
        transferRequestSchema,
        request,
        callOptions,
        (args, portal) => ({
          // A failure that may have run (`outcomeUnknown`) is settled by the engine, which reads the
          // dialog before it repeats a transfer: a repeated LEAVE=Y transfer that ran is refused.
          method: 'imopenlines.bot.session.transfer',
          params: {
            CHAT_ID: args.chatId,
            ...(args.target.kind === 'user'
              ? { USER_ID: args.target.userId }
              : { QUEUE_ID: args.target.queueId }),
            LEAVE: args.leave ? 'Y' : 'N',
            ...clientIdParam(portal),
          },
        }),
        done,
      ),

    removeBot: (chat: ChatKey, callOptions?: CallOptions) =>
      run(
        'removeBot',
        chatKeySchema,
        chat,
        callOptions,
        (args, portal) =>
          portal.bot.api === 'v2'
            ? {
                method: 'imbot.v2.Chat.leave',
                params: { botId: portal.bot.id, dialogId: `chat${args.chatId}`, ...botTokenParam(portal) },
              }
            : {
                method: 'imbot.chat.leave',
                params: { CHAT_ID: args.chatId, BOT_ID: portal.bot.id, ...clientIdParam(portal) },
              },
        (): TransportResult<BotRemoval> => ({ ok: true, value: { alreadyGone: false } }),
        (error, portal) =>
          notAMemberCodes[portal.bot.api ?? 'v1'].includes(error.code)
            ? { ok: true, value: { alreadyGone: true } }
            : undefined,
      ),

    readDialogOwner: async (
      chat: ChatKey,
      callOptions?: CallOptions,
    ): Promise<TransportResult<DialogOwner>> => {
      const parsed = chatKeySchema.safeParse(chat);
      if (!parsed.success) return fail(invalidInputError('readDialogOwner arguments', parsed.error));
      const portal = await client.portal(parsed.data.portal);
      if (portal instanceof BitrixError) return fail(portal);
      return readDialogs.readOne(parsed.data.chatId, portal, clientIdParam(portal), callOptions?.signal);
    },

    readDialogOwners: async (
      chats: readonly ChatKey[],
      callOptions?: CallOptions,
    ): Promise<readonly TransportResult<DialogOwner>[]> => {
      const parsed = dialogReadsSchema.safeParse(chats);
      if (!parsed.success) {
        const failure = fail(invalidInputError('readDialogOwners arguments', parsed.error));
        return Array.isArray(chats) ? chats.map(() => failure) : [];
      }
      const first = parsed.data[0];
      if (first === undefined) return [];
      const portal = await client.portal(first.portal);
      if (portal instanceof BitrixError) return parsed.data.map(() => fail(portal));
      return readDialogs.readMany(
        parsed.data.map((chat) => chat.chatId),
        portal,
        clientIdParam(portal),
        callOptions?.signal,
      );
    },

    sendBotMessage: (chat: ChatKey & { readonly text: string }, callOptions?: CallOptions) =>
      run(
        'sendBotMessage',
        botMessageSchema,
        chat,
        callOptions,
        (args, portal) =>
          portal.bot.api === 'v2'
            ? {
                method: 'imbot.v2.Chat.Message.send',
                params: {
                  botId: portal.bot.id,
                  dialogId: `chat${args.chatId}`,
                  fields: { message: args.text },
                  ...botTokenParam(portal),
                },
              }
            : {
                method: 'imbot.message.add',
                params: {
                  BOT_ID: portal.bot.id,
                  DIALOG_ID: `chat${args.chatId}`,
                  MESSAGE: args.text,
                  ...clientIdParam(portal),
                },
              },
        done,
      ),

    handToQueue: (chat: ChatKey, callOptions?: CallOptions) =>
      run(
        'handToQueue',
        chatKeySchema,
        chat,
        callOptions,
        (args, portal) => ({
          method: 'imopenlines.bot.session.operator',
          params: { CHAT_ID: args.chatId, ...clientIdParam(portal) },
        }),
        done,
      ),

    finishSession: (chat: ChatKey, callOptions?: CallOptions) =>
      run(
        'finishSession',
        chatKeySchema,
        chat,
        callOptions,
        (args, portal) => ({
          method: 'imopenlines.bot.session.finish',
          params: { CHAT_ID: args.chatId, ...clientIdParam(portal) },
        }),
        done,
      ),

    close: () => client.close(),
  };
}
