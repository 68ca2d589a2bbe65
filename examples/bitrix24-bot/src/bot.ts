/**
 * The bot: a Fastify server that receives the portal's events, verifies them, answers clients
 * itself, and hands a chat to an operator when the client asks for one (by typing it, or with
 * the welcome keyboard's button, which sends the keyword as the client's message).
 */

import { createEngine, type Engine } from '@baton/core';
import { createBitrixTransport, createEventHandler } from '@baton/transport-http';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BotConfig } from './config.js';

/** What the client types, or the keyboard button sends, to reach a person. */
export const handoverKeyword = /\b(operator|human|person)\b/i;

export interface Bot {
  readonly app: FastifyInstance;
  readonly engine: Engine;
  stop(): Promise<void>;
}

export async function createBot(config: BotConfig): Promise<Bot> {
  const transport = createBitrixTransport({
    portals: {
      [config.memberId]: {
        auth: { type: 'webhook', url: config.webhookUrl },
        bot: { id: config.botId, clientId: config.botClientId, api: config.events },
      },
    },
  });
  const engine = createEngine({ transport, confirmationPollIntervalMs: 10_000 });
  engine.on('error', (error, context) => console.error(`baton: ${context.stage} failed`, error));
  engine.on('handoff.failed', ({ key }) => {
    void transport.sendBotMessage({
      ...key,
      text: 'Nobody could take your chat right now. I am still here.',
    });
  });
  engine.start();

  const say = (portal: string, chatId: number, text: string) =>
    transport.sendBotMessage({ portal, chatId, text }).then((sent) => {
      if (!sent.ok) console.error(`baton: message to chat ${chatId} failed: ${sent.error.code}`);
    });

  // A welcome with a keyboard: the button sends "operator" as the client's own message.
  const welcome = async (portal: string, chatId: number) => {
    const message = 'Hello! I am the support bot. Ask me anything, or press the button to talk to a person.';
    const keyboard = [
      { TEXT: 'Talk to a person', ACTION: 'SEND', ACTION_VALUE: 'operator', DISPLAY: 'LINE' },
    ];
    const sent =
      config.events === 'v2'
        ? await transport.client.call(portal, 'imbot.v2.Chat.Message.send', {
            botId: config.botId,
            botToken: config.botClientId,
            dialogId: `chat${chatId}`,
            fields: { message, keyboard },
          })
        : await transport.client.call(portal, 'imbot.message.add', {
            BOT_ID: config.botId,
            CLIENT_ID: config.botClientId,
            DIALOG_ID: `chat${chatId}`,
            MESSAGE: message,
            KEYBOARD: keyboard,
          });
    if (!sent.ok) console.error(`baton: welcome to chat ${chatId} failed: ${sent.error.code}`);
  };

  const events = createEventHandler({
    applicationTokens: { [config.memberId]: config.applicationToken },
    onError: (error) => console.warn(`refused an event: ${error.code} (${error.message})`),
    accept: async (event) => {
      const { route } = await engine.dispatch(event);
      if (event.type === 'bot.joined') {
        void welcome(event.portal, event.chatId);
        return;
      }
      if (event.type !== 'message' || (route !== 'bot' && route !== 'both')) return;
      if (handoverKeyword.test(event.text ?? '')) {
        await engine.dispatch({
          type: 'transfer.request',
          id: `handover-${event.id}`,
          portal: event.portal,
          chatId: event.chatId,
          announcement: 'Connecting you to an operator…',
          plan: [
            {
              target: { kind: 'user', userId: config.operatorId },
              leave: false,
              confirmationTimeoutMs: 60_000,
            },
            {
              target: { kind: 'queue', queueId: config.queueId },
              leave: false,
              confirmationTimeoutMs: 300_000,
            },
          ],
        });
        return;
      }
      void say(
        event.portal,
        event.chatId,
        `I got "${event.text ?? ''}". Type "operator" any time to talk to a person.`,
      );
    },
  });

  const app = Fastify();
  // Bitrix24 posts events as forms: without a form parser Fastify answers 415 before the route
  // runs. The flat keys it leaves (`data[PARAMS][MESSAGE]`) are nested by the event handler.
  await app.register(formbody);
  app.post('/bitrix/events', async (request, reply) => {
    const result = await events.handle(request.body as Record<string, unknown>, request.headers);
    return reply.code(result.status).send(result.body);
  });
  app.get('/health', async () => ({ ok: true }));

  return {
    app,
    engine,
    async stop() {
      await app.close();
      await engine.stop();
      await transport.close();
    },
  };
}
