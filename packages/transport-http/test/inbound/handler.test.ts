import { inspect } from 'node:util';
import type { BatonEventInput } from '@baton/core';
import fc from 'fast-check';
import { stringify } from 'qs';
import { describe, expect, it } from 'vitest';
import type { BitrixError } from '../../src/errors.js';
import { createEventHandler } from '../../src/inbound/handler.js';
import { applicationToken, formHeaders, memberId, v1MessageForm } from './fixtures.js';

function setup(accept?: (event: BatonEventInput) => Promise<unknown>) {
  const accepted: BatonEventInput[] = [];
  const handler = createEventHandler({
    applicationTokens: { [memberId]: applicationToken },
    accept:
      accept ??
      (async (event) => {
        accepted.push(event);
      }),
  });
  return { handler, accepted };
}

describe('createEventHandler', () => {
  it('turns a client message into a validated message event with a stable id', async () => {
    const { handler, accepted } = setup();
    const first = await handler.handle(v1MessageForm(), formHeaders);
    const again = await handler.handle(v1MessageForm(), formHeaders);
    expect(first).toMatchObject({ status: 200, outcome: 'accepted' });
    expect(accepted[0]).toEqual({
      type: 'message',
      id: `bitrix:${memberId}:message:1001`,
      portal: memberId,
      chatId: 42,
      author: { userId: 211, kind: 'client' },
      messageId: '1001',
      text: 'hello',
      lineId: 3,
      botId: 1_048_577,
    });
    expect(again.event?.id).toBe(first.event?.id);
  });

  it.each([
    [{ fromUserId: 5, isConnector: 'N', isExtranet: 'N' } as const, 'operator'],
    [{ fromUserId: 9, isBot: 'Y', isConnector: 'N', isExtranet: 'N' } as const, 'bot'],
    [{ fromUserId: 0, isConnector: 'N', isExtranet: 'N' } as const, 'system'],
    [{ fromUserId: 300, isConnector: 'Y' } as const, 'connector'],
    [{ fromUserId: 301, isConnector: 'N', isExtranet: 'Y' } as const, 'connector'],
    // The chat's client (named by CHAT_ENTITY_ID) is the client even without the connector flag.
    [{ fromUserId: 211, isConnector: 'N', isExtranet: 'Y' } as const, 'client'],
    [{ fromUserId: 211, isConnector: 'N', isExtranet: 'N' } as const, 'client'],
    // A connector user in a chat whose client is not named is taken as the client.
    [{ fromUserId: 212, isConnector: 'Y', entityId: null } as const, 'client'],
    [{ fromUserId: 212, isConnector: 'Y', entityId: 'livechat|3|1373' } as const, 'client'],
    [{ fromUserId: 213, isConnector: 'N', isExtranet: 'Y', entityId: null } as const, 'connector'],
    [{ fromUserId: 211, isBot: 'Y', isConnector: 'N', isExtranet: 'N' } as const, 'bot'],
  ])('classifies %j as %s', async (overrides, kind) => {
    const { handler, accepted } = setup();
    await handler.handle(v1MessageForm(overrides), formHeaders);
    expect(accepted[0]?.type === 'message' && accepted[0].author.kind).toBe(kind);
  });

  it('acknowledges and ignores chats that are not Open Lines', async () => {
    const { handler, accepted } = setup();
    const result = await handler.handle(v1MessageForm({ entityType: 'CRM' }), formHeaders);
    expect(result).toMatchObject({ status: 200, outcome: 'ignored' });
    expect(accepted).toEqual([]);
  });

  it('rejects a missing token with 401 and a wrong one with 403, without accepting', async () => {
    const { handler, accepted } = setup();
    expect(await handler.handle(v1MessageForm({ token: undefined }), formHeaders)).toMatchObject({
      status: 401,
      body: { code: 'MISSING_APPLICATION_TOKEN' },
    });
    const forged = await handler.handle(v1MessageForm({ token: 'forged' }), formHeaders);
    expect(forged).toMatchObject({ status: 403, body: { code: 'INVALID_APPLICATION_TOKEN' } });
    expect(JSON.stringify(forged.body)).not.toContain(applicationToken);
    expect(accepted).toEqual([]);
  });

  it('rejects an unknown portal exactly like a wrong token', async () => {
    const { handler } = setup();
    const body = v1MessageForm().replace(memberId, 'someone-else');
    expect(await handler.handle(body, formHeaders)).toMatchObject({
      status: 403,
      body: { code: 'INVALID_APPLICATION_TOKEN' },
    });
  });

  it('answers 503 when the engine cannot accept now', async () => {
    const { handler } = setup(async () => {
      throw new Error('store down');
    });
    expect(await handler.handle(v1MessageForm(), formHeaders)).toMatchObject({
      status: 503,
      body: { code: 'NOT_ACCEPTED' },
    });
  });

  it('reads JSON bodies and v2 payloads with string scalars', async () => {
    const { handler, accepted } = setup();
    const body = {
      event: 'ONIMBOTV2MESSAGEADD',
      auth: { member_id: memberId, application_token: applicationToken },
      data: {
        message: { id: '77', chatId: '42', authorId: '5', text: 'hi' },
        chat: { id: '42', entityType: 'LINES', entityId: 'livechat|3|1373|211' },
        user: { id: '5', bot: '0', connector: '0', extranet: '0', type: 'employee' },
      },
    };
    const result = await handler.handle(JSON.stringify(body), { 'content-type': 'application/json' });
    expect(result.status).toBe(200);
    expect(accepted[0]).toMatchObject({
      chatId: 42,
      author: { userId: 5, kind: 'operator' },
      id: `bitrix:${memberId}:message:77`,
    });
  });

  it('rejects oversized, too many-fielded and unsupported bodies with coded errors', async () => {
    const { handler } = setup();
    expect((await handler.handle('x'.repeat(2_000_000), formHeaders)).body.code).toBe('PAYLOAD_TOO_LARGE');
    const manyFields = Array.from({ length: 1_001 }, (_, index) => `f${index}=1`).join('&');
    expect((await handler.handle(manyFields, formHeaders)).body.code).toBe('INVALID_PAYLOAD');
    // Nesting deeper than the limit is kept as a literal key, not a reason to drop the event.
    const deep = `${v1MessageForm()}&data[PARAMS][X]${'[y]'.repeat(50)}=1`;
    expect((await handler.handle(deep, formHeaders)).status).toBe(200);
    expect((await handler.handle('<xml/>', { 'content-type': 'text/xml' })).body.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('never crashes and never accepts fuzzed or forged payloads', async () => {
    const { handler, accepted } = setup();
    const payload = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.json().map((json) => json),
      fc
        .dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 4 }))
        .map((value) => stringify(value)),
      // Well-formed events with a fuzzed token and fields.
      fc
        .record({
          token: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
          fromUserId: fc.nat(),
          text: fc.string({ maxLength: 200 }),
          messageId: fc.nat(),
        })
        .map((fields) => v1MessageForm({ ...fields, token: fields.token })),
    );
    await fc.assert(
      fc.asyncProperty(
        payload,
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', undefined),
        async (body, type) => {
          const result = await handler.handle(body, type === undefined ? {} : { 'content-type': type });
          expect([200, 400, 401, 403, 413, 415]).toContain(result.status);
          if (result.outcome === 'accepted') throw new Error('a forged payload was accepted');
        },
      ),
      { numRuns: 400 },
    );
    expect(accepted).toEqual([]);
  });

  it('never accepts an event with a wrong token, whatever the rest of the payload', async () => {
    const { handler, accepted } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 64 }).filter((token) => token !== applicationToken),
        async (token) => {
          const result = await handler.handle(v1MessageForm({ token }), formHeaders);
          expect(result.status).toBe(403);
        },
      ),
      { numRuns: 200 },
    );
    expect(accepted).toEqual([]);
  });

  it('answers 503 UNEXPECTED, not 400, when the application token store fails', async () => {
    const accepted: BatonEventInput[] = [];
    const handler = createEventHandler({
      applicationTokens: async () => {
        throw new Error('database unavailable');
      },
      accept: async (event) => {
        accepted.push(event);
      },
    });
    const result = await handler.handle(v1MessageForm(), formHeaders);
    expect(result).toMatchObject({
      status: 503,
      outcome: 'rejected',
      body: { ok: false, code: 'UNEXPECTED' },
    });
    expect(result.error?.context.retryable).toBe(true);
    expect(accepted).toEqual([]);
  });

  it('reads v2 webhook fields sent as "" and JSON fields sent as null as absent', async () => {
    const { handler, accepted } = setup();
    const envelope = {
      event: 'ONIMBOTV2MESSAGEADD',
      auth: { member_id: memberId, application_token: applicationToken },
    };
    const form = stringify({
      ...envelope,
      data: {
        message: { id: '78', chatId: '', authorId: '211', text: 'hi' },
        chat: { id: '42', entityType: 'LINES', entityId: 'livechat|3|1373|211' },
        user: { id: '211', bot: '0', connector: '1', extranet: '1', type: '' },
      },
    });
    const json = JSON.stringify({
      ...envelope,
      data: {
        message: { id: 79, chatId: null, authorId: 211, text: null },
        chat: { id: 42, entityType: 'LINES', entityId: null },
        user: { id: 211, bot: null, connector: true, extranet: true, type: null },
      },
    });
    expect((await handler.handle(form, formHeaders)).status).toBe(200);
    expect((await handler.handle(json, { 'content-type': 'application/json' })).status).toBe(200);
    expect(accepted).toEqual([
      expect.objectContaining({ chatId: 42, messageId: '78', author: { userId: 211, kind: 'client' } }),
      expect.objectContaining({ chatId: 42, messageId: '79', author: { userId: 211, kind: 'client' } }),
    ]);
  });

  it('keeps no piece of an unreadable body in the error it reports', async () => {
    const errors: BitrixError[] = [];
    const handler = createEventHandler({
      applicationTokens: { [memberId]: applicationToken },
      accept: async () => undefined,
      onError: (error) => errors.push(error),
    });
    const body = `{"auth":{"application_token":${applicationToken}}}`; // unquoted: a syntax error at the token
    const result = await handler.handle(body, { 'content-type': 'application/json' });
    expect(result.body.code).toBe('INVALID_PAYLOAD');
    expect(inspect(errors, { depth: 10 })).not.toContain(applicationToken.slice(0, 8));
  });
});
