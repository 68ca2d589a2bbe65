import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrixTransport } from '../../src/transport.js';
import { json, type SeenRequest, startScriptedServer } from '../helpers/http-server.js';

const portal = 'bac1cd5c8940947a75e0d71b1a84e348';
const botId = 1_048_577;
const chatId = 3_305_117;
const operatorId = 1_730_462;
const clientUserId = 2_203_114;
const clientId = 'local.5f8e2c&token=a b';

type Reply = (request: SeenRequest, response: ServerResponse) => void;
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A transport on a webhook whose portal is a small scripted server on 127.0.0.1. */
async function setup(reply: Reply) {
  const server = await startScriptedServer((request, response) => reply(request, response));
  servers.push(server);
  const transport = createBitrixTransport({
    portals: {
      [portal]: {
        auth: { type: 'webhook', url: `${server.url}/rest/${operatorId}/s3cr3tw3bh00k/` },
        bot: { id: botId, clientId },
      },
    },
  });
  return { server, transport, read: () => transport.readDialogOwner({ portal, chatId }) };
}

/** The documented `batch` envelope; PHP writes empty maps as `[]`. */
function batch(result: Record<string, unknown>, errors: Record<string, unknown> = {}) {
  const empty = (map: Record<string, unknown>) => (Object.keys(map).length === 0 ? [] : map);
  return {
    result: {
      result: empty(result),
      result_error: empty(errors),
      result_total: [],
      result_next: [],
      result_time: [],
    },
    time: { start: 1771928985.1, finish: 1771928985.2, duration: 0.1, processing: 0.05 },
  };
}

const dialog = (owner: number | string) => ({
  id: String(chatId),
  owner: String(owner),
  entity_id: 'telegrambot|14|786792821|2203114',
});

describe('readDialogOwner over batch', () => {
  it('reads the owner and the membership in one request, with the documented commands', async () => {
    const t = await setup((_, response) =>
      json(response, 200, batch({ owner: dialog(operatorId), members: [clientUserId, botId, operatorId] })),
    );
    expect(await t.read()).toEqual({ ok: true, value: { ownerId: operatorId, botPresent: true } });
    expect(t.server.seen).toHaveLength(1);
    const [request] = t.server.seen;
    expect(request?.path).toBe(`/rest/${operatorId}/s3cr3tw3bh00k/batch.json`);
    const cmd = request?.params.cmd as Record<string, string>;
    expect(request?.params.halt).toBe('0');
    expect(cmd.owner).toBe(`imopenlines.dialog.get?CHAT_ID=${chatId}`);
    const [method, query] = (cmd.members ?? '').split('?');
    expect(method).toBe('imbot.chat.user.list');
    // The inner query is encoded on its own, so a CLIENT_ID with & and = survives.
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({
      CHAT_ID: String(chatId),
      BOT_ID: String(botId),
      CLIENT_ID: clientId,
    });
  });

  it('reports an owner that is the bot itself as 0, and a member list without the bot as absent', async () => {
    const t = await setup((_, response) =>
      json(
        response,
        200,
        batch({ owner: dialog(botId), members: { 0: String(clientUserId), 2: String(operatorId) } }),
      ),
    );
    expect(await t.read()).toEqual({ ok: true, value: { ownerId: 0, botPresent: false } });
  });

  it.each(['ACCESS_ERROR', 'WRONG_REQUEST', 'ACCESS_DENIED'])(
    'reads a member-list %s as "the bot is not present"',
    async (code) => {
      const t = await setup((_, response) =>
        json(
          response,
          200,
          batch({ owner: dialog(0) }, { members: { error: code, error_description: 'no access' } }),
        ),
      );
      expect(await t.read()).toEqual({ ok: true, value: { ownerId: 0, botPresent: false } });
    },
  );

  it('leaves botPresent out when the member list failed otherwise or is unreadable', async () => {
    let answer = batch({ owner: dialog(operatorId) }, { members: { error: 'INTERNAL_SERVER_ERROR' } });
    const t = await setup((_, response) => json(response, 200, answer));
    expect(await t.read()).toEqual({ ok: true, value: { ownerId: operatorId } });
    answer = batch({ owner: dialog(operatorId), members: 'garbage' });
    expect(await t.read()).toEqual({ ok: true, value: { ownerId: operatorId } });
  });

  it("fails with the owner command's own code when the dialog cannot be read", async () => {
    const t = await setup((_, response) =>
      json(
        response,
        200,
        batch(
          {},
          {
            owner: { error: 'ACCESS_ERROR', error_description: 'You do not have access' },
            members: { error: 'ACCESS_ERROR' },
          },
        ),
      ),
    );
    expect(await t.read()).toMatchObject({
      ok: false,
      error: { code: 'ACCESS_ERROR', retryable: false },
    });
  });

  it('fails with INVALID_RESPONSE when the batch answer has no owner at all', async () => {
    const t = await setup((_, response) => json(response, 200, batch({})));
    expect(await t.read()).toMatchObject({
      ok: false,
      error: { code: 'INVALID_RESPONSE', retryable: false },
    });
  });

  it('falls back to imopenlines.dialog.get, once per portal, where batch is not served', async () => {
    const t = await setup((request, response) => {
      if (request.path.endsWith('/batch.json')) {
        json(response, 404, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
      } else {
        json(response, 200, { result: dialog(operatorId), time: {} });
      }
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => t.read()));
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ ok: true, value: { ownerId: operatorId } })));
    expect(await t.read()).toEqual({ ok: true, value: { ownerId: operatorId } });
    const paths = t.server.seen.map((request) => request.path.split('/').at(-1));
    expect(paths.filter((path) => path === 'batch.json')).toHaveLength(1);
    expect(paths.filter((path) => path === 'imopenlines.dialog.get.json')).toHaveLength(6);
  });

  it('returns a failed batch request as the failure, without falling back', async () => {
    const t = await setup((_, response) =>
      json(response, 401, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' }),
    );
    expect(await t.read()).toMatchObject({ ok: false, error: { code: 'NO_AUTH_FOUND', retryable: false } });
    expect(t.server.seen).toHaveLength(1);
  });
});

describe('readDialogOwners: several chats in one batch', () => {
  const chatIds = Array.from({ length: 60 }, (_, index) => 3_305_200 + index);
  const keys = (ids: readonly number[]) => ids.map((id) => ({ portal, chatId: id }));

  /** Answers each batch command as the platform would: the chat's owner (and members if asked). */
  const answerCommands: Reply = (request, response) => {
    const cmd = request.params.cmd as Record<string, string>;
    const result: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    for (const [name, command] of Object.entries(cmd)) {
      const id = Number(new URLSearchParams(command.split('?')[1]).get('CHAT_ID'));
      if (name.startsWith('owner') && id === chatIds[1]) {
        errors[name] = { error: 'ACCESS_ERROR', error_description: 'You do not have access' };
      } else if (name.startsWith('owner')) {
        result[name] = { id: String(id), owner: id === chatIds[2] ? String(operatorId) : '0' };
      } else {
        result[name] = [clientUserId, botId];
      }
    }
    json(response, 200, batch(result, errors));
  };

  it('reads the owners of 50 chats with one request, one numbered dialog.get each, one outcome per chat in order', async () => {
    const t = await setup(answerCommands);
    const results = await t.transport.readDialogOwners(keys(chatIds.slice(0, 50)));
    expect(t.server.seen).toHaveLength(1);
    const cmd = t.server.seen[0]?.params.cmd as Record<string, string>;
    expect(Object.keys(cmd)).toHaveLength(50);
    expect(cmd.owner0).toBe(`imopenlines.dialog.get?CHAT_ID=${chatIds[0]}`);
    expect(cmd.owner49).toBe(`imopenlines.dialog.get?CHAT_ID=${chatIds[49]}`);
    // Polls need only the owner: no member lists in a grouped read.
    expect(Object.values(cmd).some((command) => command.startsWith('imbot.chat.user.list'))).toBe(false);
    expect(results).toHaveLength(50);
    expect(results[0]).toEqual({ ok: true, value: { ownerId: 0 } });
    // One chat's error inside the batch is that chat's failure alone.
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'ACCESS_ERROR' } });
    expect(results[2]).toEqual({ ok: true, value: { ownerId: operatorId } });
    expect(results.slice(3).every((result) => result.ok)).toBe(true);
  });

  it('splits more than 50 chats into requests of 50', async () => {
    const t = await setup(answerCommands);
    const results = await t.transport.readDialogOwners(keys(chatIds));
    expect(results).toHaveLength(60);
    const sizes = t.server.seen.map((request) => Object.keys(request.params.cmd as object).length);
    expect(sizes.sort((a, b) => b - a)).toEqual([50, 10]);
    expect(results[59]).toEqual({ ok: true, value: { ownerId: 0 } });
  });

  it("a failed request is every chat's failure; bad arguments fail every chat without a request", async () => {
    const t = await setup((_, response) =>
      json(response, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }),
    );
    const failed = await t.transport.readDialogOwners(keys(chatIds.slice(0, 3)));
    expect(failed.map((result) => !result.ok && result.error.code)).toEqual(
      Array.from({ length: 3 }, () => 'QUERY_LIMIT_EXCEEDED'),
    );
    const seen = t.server.seen.length;
    const mixed = await t.transport.readDialogOwners([
      { portal, chatId: chatIds[0] ?? 0 },
      { portal: 'another-portal', chatId: chatIds[1] ?? 0 },
    ]);
    expect(mixed.map((result) => !result.ok && result.error.code)).toEqual([
      'INVALID_INPUT',
      'INVALID_INPUT',
    ]);
    expect(await t.transport.readDialogOwners([])).toEqual([]);
    expect(t.server.seen).toHaveLength(seen);
  });
});
