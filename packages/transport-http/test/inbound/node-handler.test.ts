import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseFlat } from 'node:querystring';
import type { BatonEventInput } from '@baton/core';
import { parse } from 'qs';
import { afterEach, describe, expect, it } from 'vitest';
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
