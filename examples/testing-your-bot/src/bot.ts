import { createServer, type Server } from 'node:http';
import { createEngine, type Engine, type PlanStep } from '@baton/core';
import { createBitrixTransport, createNodeEventHandler } from '@baton/transport-http';

/** Where each value comes from: see "Where the credentials come from" below. */
export interface BotConfig {
  readonly memberId: string; // the portal's member_id: auth[member_id] of its events
  readonly webhookUrl: string; // an incoming webhook with the imbot and imopenlines scopes
  readonly applicationToken: string; // auth[application_token] of the bot's events
  readonly botId: number; // what imbot.register answered
  readonly botClientId: string; // the CLIENT_ID given to imbot.register
  readonly plan: readonly PlanStep[]; // who gets the chat, in order
  readonly port: number; // the bot's EVENT_HANDLER URL points here
  readonly host: string; // '0.0.0.0' behind your proxy; '127.0.0.1' in tests
}

export async function startBot(
  config: BotConfig,
): Promise<{ engine: Engine; server: Server; stop(): Promise<void> }> {
  const transport = createBitrixTransport({
    portals: {
      [config.memberId]: {
        auth: { type: 'webhook', url: config.webhookUrl },
        bot: { id: config.botId, clientId: config.botClientId },
      },
    },
  });
  const engine = createEngine({
    transport,
    // The owner field every message carries tells Baton an operator answered, even one who
    // accepted without typing (the platform's notice carries it). Polling the dialog is the
    // fallback for an answer no event reports.
    confirmationPollIntervalMs: 10_000,
  });
  // Background work (platform calls, timers) fails here, never silently.
  engine.on('error', (error, context) => console.error(`baton: ${context.stage} failed`, error));
  engine.on('handoff.failed', ({ key }) => {
    void transport.sendBotMessage({ ...key, text: 'Nobody is free right now, I am still here.' });
  });
  engine.start();

  const handler = createNodeEventHandler({
    applicationTokens: { [config.memberId]: config.applicationToken },
    accept: async (event) => {
      // Every event goes through the engine: it reads the owner field, the platform's notices,
      // the client's `0` and new sessions, and says who the message is for.
      const { route } = await engine.dispatch(event);
      if (event.type !== 'message' || (route !== 'bot' && route !== 'both')) return;
      if (/operator|human/i.test(event.text ?? '')) {
        await engine.dispatch({
          type: 'transfer.request',
          id: `handover-${event.id}`,
          portal: event.portal,
          chatId: event.chatId,
          plan: [...config.plan],
          announcement: 'Connecting you to an operator…',
        });
        return;
      }
      // The bot's own answer. Not awaited: the event is accepted once dispatched.
      const reply = `You wrote "${event.text ?? ''}". Type "operator" to talk to a person.`;
      void transport
        .sendBotMessage({ portal: event.portal, chatId: event.chatId, text: reply })
        .then((sent) => {
          if (!sent.ok) console.error(`baton: reply to chat ${event.chatId} failed: ${sent.error.code}`);
        });
    },
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));

  return {
    engine,
    server,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.stop();
      await transport.close();
    },
  };
}
