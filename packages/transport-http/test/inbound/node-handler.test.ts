import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseFlat } from 'node:querystring';
import type { BatonEventInput } from '@baton/core';
import { parse } from 'qs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BitrixError } from '../../src/errors.js';
import { createNodeEventHandler } from '../../src/inbound/node-handler.js';
import { applicationToken, formHeaders, memberId, v1MessageForm } from './fixtures.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serve(listener: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('createNodeEventHandler', () => {
  it('reads the raw body, or a body a framework already parsed', async () => {
    const accepted: BatonEventInput[] = [];
    const listener = createNodeEventHandler({
      applicationTokens: { [memberId]: applicationToken },
      accept: async (event) => {
        accepted.push(event);
      },
      limits: { maxBytes: 10_000 },
    });
    const raw = await serve((request, response) => void listener(request, response));
    // An Express-like middleware that parsed the form before Baton's handler runs.
    const preParsed = await serve((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        Object.assign(request, { body: parse(Buffer.concat(chunks).toString('utf8')) });
        void listener(request, response);
      });
    });
    for (const url of [raw, preParsed]) {
      const response = await fetch(url, { method: 'POST', headers: formHeaders, body: v1MessageForm() });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
    }
    expect(accepted).toHaveLength(2);
    const tooLarge = await fetch(raw, { method: 'POST', headers: formHeaders, body: 'x'.repeat(20_000) });
    expect(tooLarge.status).toBe(413);
    expect(accepted).toHaveLength(2);
  });

  it('nests the flat keys of a simple form parser, and reads the stream a body parser skipped', async () => {
    const accepted: BatonEventInput[] = [];
    const listener = createNodeEventHandler({
      applicationTokens: { [memberId]: applicationToken },
      accept: async (event) => {
        accepted.push(event);
      },
    });
    // Express 5's `urlencoded()` and Fastify's formbody: `{ 'auth[member_id]': … }`.
    const flat = await serve((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        Object.assign(request, { body: { ...parseFlat(Buffer.concat(chunks).toString('utf8')) } });
        void listener(request, response);
      });
    });
    // Express 4's `json()` on a form request: `{}`, and the stream left unread.
    const skipped = await serve((request, response) => {
      Object.assign(request, { body: {} });
      void listener(request, response);
    });
    for (const url of [flat, skipped]) {
      const response = await fetch(url, { method: 'POST', headers: formHeaders, body: v1MessageForm() });
      expect(await response.json()).toEqual({ ok: true });
      expect(response.status).toBe(200);
    }
    expect(accepted.map((event) => event.type === 'message' && event.author.kind)).toEqual([
      'client',
      'client',
    ]);
  });
});

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly reusedSocket: boolean;
  readonly connection: string | undefined;
}

/** One POST through a keep-alive `http.Agent`, reporting whether it rode on a reused connection. */
function post(url: string, agent: Agent, body: string | Buffer, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, agent, headers: formHeaders }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({
          status: incoming.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          reusedSocket: outgoing.reusedSocket,
          connection: incoming.headers.connection,
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('createNodeEventHandler on a keep-alive connection', () => {
  async function setup() {
    const accepted: BatonEventInput[] = [];
    const errors: BitrixError[] = [];
    const listener = createNodeEventHandler({
      applicationTokens: { [memberId]: applicationToken },
      accept: async (event) => {
        accepted.push(event);
      },
      limits: { maxBytes: 10_000 },
      onError: (error) => errors.push(error),
    });
    const url = await serve((incoming, response) => void listener(incoming, response));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    closers.push(async () => agent.destroy());
    return { url, agent, accepted, errors };
  }

  it('answers 413 to an oversized body, reports it, and the next event on the same connection is accepted', async () => {
    const t = await setup();
    const tooLarge = await post(t.url, t.agent, 'x'.repeat(200_000));
    expect(tooLarge).toMatchObject({ status: 413, body: { ok: false, code: 'PAYLOAD_TOO_LARGE' } });
    const next = await post(t.url, t.agent, v1MessageForm());
    expect(next).toMatchObject({ status: 200, body: { ok: true }, reusedSocket: true });
    expect(t.accepted).toHaveLength(1);
    expect(t.errors.map((error) => [error.code, error.context.status])).toEqual([['PAYLOAD_TOO_LARGE', 413]]);
  });

  it('closes the connection after a body too large to drain, and the next event goes through a new one', async () => {
    const t = await setup();
    const huge = await post(t.url, t.agent, Buffer.alloc(6 * 1_048_576, 0x78)).catch((error: Error) => error);
    // The client may see the 413 or, having been cut off while still sending, a reset: either way
    // the platform's next event must not be lost.
    if (!(huge instanceof Error)) expect(huge).toMatchObject({ status: 413, connection: 'close' });
    const next = await post(t.url, t.agent, v1MessageForm());
    expect(next).toMatchObject({ status: 200, body: { ok: true }, reusedSocket: false });
    expect(t.accepted).toHaveLength(1);
    expect(t.errors.map((error) => error.code)).toEqual(['PAYLOAD_TOO_LARGE']);
  });

  it('reports a 405 to onError and keeps the connection', async () => {
    const t = await setup();
    expect(await post(t.url, t.agent, '', 'GET')).toMatchObject({
      status: 405,
      body: { ok: false, code: 'METHOD_NOT_ALLOWED' },
    });
    expect(await post(t.url, t.agent, v1MessageForm())).toMatchObject({ status: 200, reusedSocket: true });
    expect(t.errors.map((error) => [error.code, error.context.status])).toEqual([
      ['METHOD_NOT_ALLOWED', 405],
    ]);
  });

  it('reports every rejection the inner handler makes', async () => {
    const t = await setup();
    expect(await post(t.url, t.agent, v1MessageForm({ token: 'forged' }))).toMatchObject({ status: 403 });
    expect(t.errors.map((error) => error.code)).toEqual(['INVALID_APPLICATION_TOKEN']);
  });
});
