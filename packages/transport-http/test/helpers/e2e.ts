import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BatonEventInput,
  createEngine,
  type DispatchResult,
  type Engine,
  type EngineOptions,
} from '@baton/core';
import { type BotOptions, createEmulator, type Emulator } from '@baton/testkit';
import { createNodeEventHandler } from '../../src/inbound/node-handler.js';
import type { BitrixClientOptions } from '../../src/rest/client-options.js';
import { type BitrixTransport, createBitrixTransport } from '../../src/transport.js';

type EmulatorOptions = Parameters<typeof createEmulator>[0];

export interface E2EOptions {
  readonly emulator?: EmulatorOptions;
  readonly engine?: Omit<EngineOptions, 'transport'>;
  readonly transport?: Partial<BitrixClientOptions>;
  readonly auth?: 'webhook' | 'oauth';
  readonly eventsVersion?: 1 | 2;
  /** How the bot is registered (a fixed id, a token-only v2 bot, …). */
  readonly bot?: BotOptions;
  /** The transport's view of the bot; by default the registered bot's id, client id and API. */
  readonly transportBot?: (bot: {
    botId: number;
    clientId: string;
    botToken: string;
  }) => Record<string, unknown>;
}

/** One event the handler accepted, and what the engine made of it. */
export interface Dispatched {
  readonly event: BatonEventInput;
  readonly result: DispatchResult;
}

/**
 * The whole chain over real HTTP: the emulator, Baton's handler on a `node:http` server as the
 * bot's event handler, the transport, and an engine that accepts through `engine.dispatch`.
 */
export async function startE2E(options: E2EOptions = {}) {
  const emulator: Emulator = await createEmulator({ host: '127.0.0.1', port: 0, ...options.emulator });
  const portal = emulator.createPortal();
  const rejected: unknown[] = [];
  const dispatched: Dispatched[] = [];
  let engine: Engine | undefined;
  const listener = createNodeEventHandler({
    applicationTokens: { [portal.memberId]: portal.applicationToken },
    accept: async (event: BatonEventInput) => {
      if (!engine) throw new Error('the engine is not ready');
      const result = await engine.dispatch(event);
      dispatched.push({ event, result });
      return result;
    },
    onError: (error) => rejected.push(error),
  });
  const server: Server = createServer((request, response) => void listener(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handlerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const auth = options.auth ?? 'webhook';
  const app = auth === 'oauth' ? portal.installApp() : undefined;
  const webhook = auth === 'webhook' ? portal.createWebhook() : undefined;
  const bot = portal.registerBot({
    eventHandlerUrl: handlerUrl,
    eventsVersion: options.eventsVersion ?? 1,
    ...(app ? { appClientId: app.clientId } : {}),
    ...options.bot,
  });
  const api = options.eventsVersion === 2 ? ('v2' as const) : ('v1' as const);
  const { createMemoryTokenStore } = await import('../../src/auth/token-store.js');
  const tokens = app
    ? createMemoryTokenStore({
        [portal.memberId]: {
          accessToken: app.accessToken,
          refreshToken: app.refreshToken,
          clientEndpoint: app.clientEndpoint,
        },
      })
    : undefined;
  const transport: BitrixTransport = createBitrixTransport({
    portals: {
      [portal.memberId]: {
        auth: webhook ? { type: 'webhook', url: webhook.baseUrl } : { type: 'oauth' },
        bot: (options.transportBot?.(bot) ?? { id: bot.botId, clientId: bot.clientId, api }) as never,
      },
    },
    ...(app && tokens
      ? {
          oauth: {
            clientId: app.clientId,
            clientSecret: app.clientSecret,
            tokenUrl: `${emulator.url}/oauth/token/`,
            tokens,
          },
        }
      : {}),
    timeoutMs: 2_000,
    ...options.transport,
  });
  engine = createEngine({ transport, ...options.engine });
  const ready = engine;

  const operatorA = portal.createOperator({ name: 'Ann' });
  const operatorB = portal.createOperator({ name: 'Bob' });
  const line = portal.createLine({ name: 'Support', queue: [operatorA.userId, operatorB.userId] });
  let eventCounter = 0;

  return {
    emulator,
    portal,
    bot,
    app,
    tokens,
    transport,
    engine: ready,
    operatorA,
    operatorB,
    line,
    rejected,
    dispatched,
    handlerUrl,
    newChat: () => portal.createClientChat({ lineId: line.lineId, botId: bot.botId }),
    key: (chatId: number) => ({ portal: portal.memberId, chatId }),
    /** Asks the engine for a hand-over, as a bot would. */
    requestTransfer: (chatId: number, fields: Record<string, unknown>) =>
      ready.dispatch({
        type: 'transfer.request',
        id: `test-transfer-${++eventCounter}`,
        portal: portal.memberId,
        chatId,
        ...fields,
      } as BatonEventInput),
    /** Drains the engine until `done` holds (timers and polls run on real time, so it waits in small steps). */
    async settle(done: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
      const giveUpAt = Date.now() + timeoutMs;
      for (;;) {
        await ready.drain();
        if (await done()) return;
        if (Date.now() > giveUpAt) throw new Error('the scenario did not settle in time');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await ready.stop();
      await transport.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
}

export type E2E = Awaited<ReturnType<typeof startE2E>>;
