import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { B24Hook, B24OAuth } from '@bitrix24/b24jssdk';

/** An SDK client as a bot holds it: a webhook, or an app's OAuth tokens. */
export type SdkClient = B24Hook | B24OAuth;

/** What the bot under test knows about its portal. */
export interface SdkBotOptions {
  /** The `CLIENT_ID` its webhook calls name it with. */
  readonly clientId: string;
  /** Who "human please" goes to. */
  readonly operatorId: number;
  /** Which line "sales" goes to. */
  readonly salesQueueId: number;
  /** The SDK client for an event; called for every event (an OAuth bot makes one from the first). */
  readonly client: (form: URLSearchParams) => SdkClient;
}

/** A running bot: its handler URL and what happened. */
export interface SdkBot {
  readonly url: string;
  /** `method → result` of every call, in order. */
  readonly calls: { method: string; result: unknown }[];
  /** Errors a handler threw (the handler then answers 500). */
  readonly errors: unknown[];
  /** Named results of the last batch. */
  readonly lastBatch: Record<string, unknown> | undefined;
  close(): Promise<void>;
}

/**
 * A bot written the way SDK users write one: it hears v1 events on a local handler and acts
 * through the SDK. A client's message decides:
 * - `human please`: says so (`imopenlines.bot.session.message.send`), transfers to the operator,
 *   `LEAVE=N`; `bye bot`: the same transfer with `LEAVE=Y`;
 * - `sales` / `sales, leave`: transfers to the sales queue, `LEAVE=N` / `LEAVE=Y`;
 * - `status?`: one batch of several calls, then answers with what it read.
 * Any message showing an owner (an operator answered): reads the dialog and, if it has an owner,
 * leaves (`imbot.chat.leave`).
 */
export async function startSdkBot(options: SdkBotOptions): Promise<SdkBot> {
  const calls: SdkBot['calls'] = [];
  const errors: unknown[] = [];
  const state: { lastBatch: Record<string, unknown> | undefined } = { lastBatch: undefined };

  const call = async (b24: SdkClient, method: string, params: Record<string, unknown>) => {
    const response = await b24.actions.v2.call.make({ method, params });
    if (!response.isSuccess) throw new Error(`${method}: ${response.getErrorMessages().join('; ')}`);
    const result = response.getData()?.result;
    calls.push({ method, result });
    return result;
  };

  const onMessage = async (b24: SdkClient, form: URLSearchParams) => {
    const chatId = Number(form.get('data[PARAMS][CHAT_ID]'));
    const text = form.get('data[PARAMS][MESSAGE]') ?? '';
    const fromClient = form.get('data[USER][IS_CONNECTOR]') === 'Y';
    const bot = { CHAT_ID: chatId, CLIENT_ID: options.clientId };
    if (Number(form.get('data[PARAMS][CHAT_AUTHOR_ID]')) !== 0) {
      const dialog = (await call(b24, 'imopenlines.dialog.get', { CHAT_ID: chatId })) as { owner: number };
      if (dialog.owner !== 0) await call(b24, 'imbot.chat.leave', bot);
      return;
    }
    if (!fromClient) return;
    if (text === 'human please' || text === 'bye bot') {
      await call(b24, 'imopenlines.bot.session.message.send', {
        ...bot,
        MESSAGE: 'Connecting you to an operator',
      });
      await call(b24, 'imopenlines.bot.session.transfer', {
        ...bot,
        USER_ID: options.operatorId,
        LEAVE: text === 'bye bot' ? 'Y' : 'N',
      });
    } else if (text === 'sales' || text === 'sales, leave') {
      await call(b24, 'imopenlines.bot.session.transfer', {
        ...bot,
        QUEUE_ID: options.salesQueueId,
        LEAVE: text === 'sales' ? 'N' : 'Y',
      });
    } else if (text === 'status?') {
      const response = await b24.actions.v2.batch.make<unknown>({
        calls: {
          dialog: { method: 'imopenlines.dialog.get', params: { CHAT_ID: chatId } },
          lines: { method: 'imopenlines.config.list.get', params: {} },
          members: { method: 'imbot.chat.user.list', params: bot },
          time: { method: 'server.time', params: {} },
        },
        options: { isHaltOnError: true },
      });
      if (!response.isSuccess) throw new Error(`batch: ${response.getErrorMessages().join('; ')}`);
      state.lastBatch = response.getData() as Record<string, unknown>;
      const dialog = state.lastBatch.dialog as { session_id: number };
      await call(b24, 'imopenlines.bot.session.message.send', {
        ...bot,
        MESSAGE: `Session ${dialog.session_id}`,
      });
    }
  };

  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const form = new URLSearchParams(body);
    try {
      if (form.get('event') === 'ONIMBOTMESSAGEADD') await onMessage(options.client(form), form);
      else options.client(form);
      response.end('ok');
    } catch (error) {
      errors.push(error);
      response.statusCode = 500;
      response.end('failed');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    calls,
    errors,
    get lastBatch() {
      return state.lastBatch;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
