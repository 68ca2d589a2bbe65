// Every recipe of docs/recipes.md, run: the emulated portal posts a real event to the framework's
// server, the event reaches `accept` verified and parsed, and a forged one is refused. The page
// shows the recipe files unchanged.
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BatonEventInput } from '@baton/core';
import { createEmulator } from '@baton/testkit';
import type { EventHandlerOptions } from '@baton/transport-http';
import { describe, expect, it, vi } from 'vitest';
import { serveEvents as express } from '../recipes/express.js';
import { serveEvents as fastify } from '../recipes/fastify.js';
import { serveEvents as koa } from '../recipes/koa.js';
import { serveEvents as nodeHttp } from '../recipes/node-http.js';

type Recipe = (options: EventHandlerOptions, port: number) => Promise<Server>;
const recipes: Array<[string, string, Recipe]> = [
  ['Node http', 'node-http', nodeHttp],
  ['Express', 'express', express],
  ['Fastify', 'fastify', fastify],
  ['Koa', 'koa', koa],
];

// Background work (the outbox, timers) on a loaded machine can take more than vitest's 1 s default.
const settle = { timeout: 10_000, interval: 20 };

describe('docs/recipes.md', () => {
  it.each(recipes)(
    '%s: a portal event reaches accept; a forged one is refused',
    async (_name, _file, serve) => {
      const emulator = await createEmulator();
      const portal = emulator.createPortal();
      const operator = portal.createOperator({ name: 'Anna' }).userId;
      const line = portal.createLine({ queue: [operator] }).lineId;
      const accepted: BatonEventInput[] = [];
      const server = await serve(
        {
          applicationTokens: { [portal.memberId]: portal.applicationToken },
          accept: async (event) => {
            accepted.push(event);
          },
        },
        0,
      );
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bitrix/events`;
        const bot = portal.registerBot({ clientId: 'recipe-bot', eventHandlerUrl: url });
        const { chatId } = portal.createClientChat({ lineId: line, botId: bot.botId });
        await portal.clientWrites(chatId, 'Hello [from] the client & co = 100%');
        const messages = () => accepted.filter((event) => event.type === 'message');
        await vi.waitFor(() => expect(messages()).toHaveLength(1), settle);
        expect(messages()[0]).toMatchObject({
          type: 'message',
          portal: portal.memberId,
          chatId,
          text: 'Hello [from] the client & co = 100%',
          author: { kind: 'client' },
          botId: bot.botId,
        });

        const forged = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            event: 'ONIMBOTMESSAGEADD',
            'data[PARAMS][CHAT_ID]': String(chatId),
            'auth[member_id]': portal.memberId,
            'auth[application_token]': 'forged-0c1f9a77',
          }).toString(),
        });
        expect(forged.status).toBe(403);
        expect(messages()).toHaveLength(1);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await emulator.close();
      }
    },
  );

  it.each(recipes)('shows the %s recipe as docs/recipes/%s.ts has it', async (_name, file) => {
    const page = await readFile(new URL('../recipes.md', import.meta.url), 'utf8');
    const source = await readFile(new URL(`../recipes/${file}.ts`, import.meta.url), 'utf8');
    expect(page).toContain(`<!-- recipe: ${file}.ts -->\n\n\`\`\`ts\n${source}\`\`\``);
  });
});
