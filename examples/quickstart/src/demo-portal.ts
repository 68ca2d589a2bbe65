import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BatonEventInput, RateLimit } from '@baton/core';
import { createEmulator, type Emulator, type Portal } from '@baton/testkit';
import { createNodeEventHandler } from '@baton/transport-http';

/** What a worker needs to reach the emulated portal: plain data, so it can cross a process boundary. */
export interface PortalAccess {
  readonly memberId: string;
  readonly webhookUrl: string;
  readonly botId: number;
  readonly botClientId: string;
}

/** The emulated portal of the demo, with operators, a line, a bot and its event handler. */
export interface DemoPortal {
  readonly emulator: Emulator;
  readonly portal: Portal;
  readonly access: PortalAccess;
  readonly operators: { readonly anna: number; readonly boris: number };
  readonly lineId: number;
  close(): Promise<void>;
}

/**
 * Starts the emulator (real HTTP on 127.0.0.1) with one portal, and the bot's event handler, a
 * plain `node:http` server that hands every verified event to `accept`.
 */
export async function startDemoPortal(
  limit: RateLimit,
  accept: (event: BatonEventInput) => Promise<unknown>,
): Promise<DemoPortal> {
  const emulator = await createEmulator({ rateLimit: limit });
  const portal = emulator.createPortal({ memberId: 'demo-portal' });
  const anna = portal.createOperator({ name: 'Anna' }).userId;
  const boris = portal.createOperator({ name: 'Boris' }).userId;
  const lineId = portal.createLine({ name: 'Support', queue: [anna, boris] }).lineId;
  const webhook = portal.createWebhook();

  const inbound = createNodeEventHandler({
    applicationTokens: { [portal.memberId]: portal.applicationToken },
    accept,
  });
  const server: Server = createServer((request, response) => void inbound(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handlerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bitrix/events`;
  const bot = portal.registerBot({ code: 'helper_bot', eventHandlerUrl: handlerUrl });

  return {
    emulator,
    portal,
    access: {
      memberId: portal.memberId,
      webhookUrl: webhook.baseUrl,
      botId: bot.botId,
      botClientId: bot.clientId,
    },
    operators: { anna, boris },
    lineId,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
}
