/**
 * Scenario 8: hostile input. A worker's inbound handler is fuzzed over HTTP with fast-check:
 * malformed and huge bodies, deep nesting, wrong types, forged tokens, another portal's member_id
 * with a valid token of a different portal, ids that try to break Redis keys, realistic large ids.
 * Every answer is a coded 4xx (or 200: accepted, or "ignored" for a well-formed non-lifecycle
 * payload), never a 5xx; the worker does not crash; Redis changes only by accepted events and
 * never for the other portal; the next genuine request on the same keep-alive connection goes
 * through; memory stays bounded.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterEach, expect, test } from 'vitest';
import { formType, v1MessageForm } from './harness/payloads.js';
import { openStage, type Stage } from './harness/scenario.js';
import { post, type WorkerHandle } from './harness/workers.js';
import { redisFor, report, type ScenarioPortal } from './harness/world.js';

const lanes = 4;
const casesPerLane = 1_300;

let stage: Stage | undefined;
let admin: Redis | undefined;
afterEach(async () => {
  admin?.disconnect();
  await stage?.close();
  admin = undefined;
  stage = undefined;
});

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly reused: boolean;
  readonly closed: boolean;
}

/** One POST on a lane's single keep-alive connection. */
function send(
  agent: Agent,
  port: number,
  body: string | Buffer,
  contentType: string | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
    if (contentType !== undefined) headers['content-type'] = contentType;
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          reused: req.reusedSocket,
          closed: res.headers.connection === 'close',
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys.sort();
}

const keyBreakers = ['{', '}', ':', '\n', '{c:x:1}', '}:{', 'a\r\nDEL *', '*', '?', '[', '\u0000', ''];
const hostileId = fc.oneof(
  fc.constantFrom(...keyBreakers),
  fc.constantFrom('9007199254740993', '-1', '0', '1e9', '0x1F', '12.5', '99999999999999999999', ' 42'),
  fc.integer({ min: 10_000_000, max: 2_147_483_647 }).map(String),
  fc.string({ maxLength: 40 }),
  fc
    .tuple(fc.constantFrom(...keyBreakers), fc.integer({ min: 1, max: 9_999_999 }))
    .map(([b, n]) => `${n}${b}${n}`),
);

const redis = redisFor('standalone');

test.skipIf(redis === undefined)(
  `fuzzing the inbound handler over HTTP (${lanes * casesPerLane} cases): coded 4xx, no 5xx, no foreign state, keep-alive intact`,
  { timeout: 120_000 },
  async () => {
    const settings = redis as { url: string };
    stage = await openStage({ redis: settings, portals: 2, limit: false, extra: { background: false } });
    const [mine, other] = stage.portals as [ScenarioPortal, ScenarioPortal];
    const [worker] = (await stage.startWorkers(1)) as [WorkerHandle];
    admin = new Redis(settings.url);

    let messageSeq = 60_000_000 + randomInt(1_000_000);
    const genuineChats = new Set<number>();
    const genuine = (portal: ScenarioPortal, chatId: number) => {
      messageSeq += 1;
      if (portal === mine) genuineChats.add(chatId);
      return v1MessageForm(portal, {
        chatId,
        messageId: messageSeq,
        fromUserId: 2_345_678,
        clientUserId: 2_345_678,
        lineId: portal.lineId,
      });
    };
    // Both portals have a chat before the fuzzing starts.
    const otherChat = 4_567_890;
    expect((await post(worker.port, '/', genuine(mine, 1_234_567), formType)).status).toBe(200);
    expect((await post(worker.port, '/', genuine(other, otherChat), formType)).status).toBe(200);
    const keysBefore = await keysUnder(admin, stage.prefix);
    const otherKeysBefore = keysBefore.filter((k) => k.includes(other.memberId));
    const rssBefore = ((await post(worker.port, '/_stats', '{}', 'application/json')).body as { rss: number })
      .rss;

    // A valid form of `mine`, then one field changed to something hostile.
    const baseForm = () => new URLSearchParams(genuine(mine, 1_234_567));
    const mutatedForm = fc
      .tuple(
        fc.constantFrom(
          'auth[member_id]',
          'auth[application_token]',
          'data[PARAMS][CHAT_ID]',
          'data[PARAMS][MESSAGE_ID]',
          'data[PARAMS][DIALOG_ID]',
          'data[PARAMS][FROM_USER_ID]',
          'data[PARAMS][CHAT_ENTITY_TYPE]',
          'data[PARAMS][CHAT_ENTITY_ID]',
          'data[PARAMS][MESSAGE]',
          'event',
          'data[USER][IS_BOT]',
        ),
        hostileId,
      )
      .map(([field, value]) => {
        const form = baseForm();
        form.set(field, value);
        return { kind: `field ${field}`, body: form.toString(), type: formType };
      });
    const forged = fc
      .constantFrom(
        // another portal's member_id with this portal's (valid elsewhere) token, and the reverse
        { memberId: other.memberId, token: mine.applicationToken },
        { memberId: mine.memberId, token: other.applicationToken },
        { memberId: randomBytes(16).toString('hex'), token: mine.applicationToken },
        { memberId: mine.memberId, token: randomBytes(16).toString('hex') },
        { memberId: mine.memberId, token: `${mine.applicationToken.slice(0, -1)}0` },
        { memberId: mine.memberId, token: '' },
      )
      .map(({ memberId, token }) => {
        const form = baseForm();
        form.set('auth[member_id]', memberId);
        form.set('auth[application_token]', token);
        form.set('data[PARAMS][CHAT_ID]', String(otherChat));
        return { kind: 'forged token', body: form.toString(), type: formType };
      });
    const deep = fc.integer({ min: 21, max: 3_000 }).chain((depth) =>
      fc.constantFrom(
        { kind: 'deep json', body: `${'['.repeat(depth)}${']'.repeat(depth)}`, type: 'application/json' },
        {
          kind: 'deep json',
          body: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
          type: 'application/json',
        },
        {
          kind: 'deep form',
          body: `${baseForm().toString()}&data${'[x]'.repeat(depth)}=1`,
          type: formType,
        },
      ),
    );
    const wrongTypes = fc
      .record({
        event: fc.oneof(fc.constant('ONIMBOTMESSAGEADD'), fc.jsonValue()),
        auth: fc.oneof(
          fc.jsonValue(),
          fc.constant({ member_id: mine.memberId, application_token: mine.applicationToken }),
        ),
        data: fc.oneof(fc.jsonValue(), fc.record({ PARAMS: fc.jsonValue(), USER: fc.jsonValue() })),
      })
      .map((payload) => ({ kind: 'wrong types', body: JSON.stringify(payload), type: 'application/json' }));
    const junk = fc.oneof(
      fc.string({ maxLength: 2_000 }).map((body) => ({ kind: 'junk form', body, type: formType })),
      fc.string({ maxLength: 2_000 }).map((body) => ({ kind: 'junk json', body, type: 'application/json' })),
      fc
        .jsonValue()
        .map((v) => ({ kind: 'json value', body: JSON.stringify(v) ?? 'null', type: 'application/json' })),
      fc
        .constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', undefined)
        .map((type) => ({ kind: 'content type', body: baseForm().toString(), type })),
      fc
        .integer({ min: 1_048_577, max: 1_300_000 })
        .map((n) => ({ kind: 'huge', body: `event=${'A'.repeat(n)}`, type: formType })),
    );
    const hostile = fc.oneof(
      { arbitrary: mutatedForm, weight: 4 },
      { arbitrary: forged, weight: 2 },
      { arbitrary: deep, weight: 1 },
      { arbitrary: wrongTypes, weight: 2 },
      { arbitrary: junk, weight: 2 },
    );

    const statuses = new Map<number, number>();
    const kinds = new Map<string, number>();
    let accepted = 0;
    let ignored = 0;
    let genuineFailures = 0;
    let resets = 0;
    let connectionClosedByServer = 0;
    let fiveHundreds = 0;
    const uncoded: string[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        let i = 0;
        try {
          await fc.assert(
            fc.asyncProperty(hostile, async (c) => {
              i += 1;
              const answer = await send(agent, worker.port, c.body, c.type);
              statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
              kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
              if (answer.status >= 500) fiveHundreds += 1;
              const parsed = JSON.parse(answer.body) as { ok: boolean; code?: string; message?: string };
              if (answer.status === 200) {
                if (parsed.message === undefined) accepted += 1;
                else ignored += 1;
              } else if (typeof parsed.code !== 'string' || answer.status < 400 || answer.status >= 500) {
                uncoded.push(`${answer.status} ${answer.body.slice(0, 100)}`);
              }
              if (answer.closed) connectionClosedByServer += 1;
              // The next genuine request, on the same connection unless the server closed it.
              const chatId = 5_000_000 + lane * 10 + (i % 10);
              try {
                const next = await send(agent, worker.port, genuine(mine, chatId), formType);
                if (next.status !== 200 || next.body !== '{"ok":true}') genuineFailures += 1;
                if (!answer.closed && !next.reused) resets += 1;
              } catch {
                resets += 1;
              }
              return answer.status < 500;
            }),
            { numRuns: casesPerLane, seed: randomInt(2 ** 31) },
          );
        } finally {
          agent.destroy();
        }
      }),
    );
    const seconds = (Date.now() - started) / 1_000;

    const stats = (await post(worker.port, '/_stats', '{}', 'application/json')).body as {
      rss: number;
      engineErrors: number;
    };
    const keysAfter = await keysUnder(admin, stage.prefix);
    // A portal's keys (its chats, busy counts, rotations) share its tag; chat keys name the chat.
    const chatKey = /\{p:([^}]*)\}(?::c:(\d+):)?/;
    const newKeys = keysAfter.filter((k) => !keysBefore.includes(k));
    // A new key is a key of the verified portal, or the set of portals (when this was the first
    // event of the deployment).
    const foreignKeys = newKeys.filter((k) => {
      const m = chatKey.exec(k);
      if (m === null) return k !== `${stage?.prefix}:portals`;
      return m[1] !== mine.memberId;
    });
    const newChats = new Set(newKeys.map((k) => chatKey.exec(k)?.[2]).filter((c) => c !== undefined));
    const unexpectedChats = [...newChats].filter((c) => !genuineChats.has(Number(c)));
    const otherKeysAfter = keysAfter.filter((k) => k.includes(other.memberId));
    const otherVersion = await admin.hget(
      `${stage.prefix}:{p:${other.memberId}}:c:${otherChat}:chat`,
      'version',
    );
    report('hostile input', {
      cases: lanes * casesPerLane,
      seconds,
      statuses: Object.fromEntries(statuses),
      kinds: Object.fromEntries(kinds),
      fuzzAccepted: accepted,
      fuzzIgnored: ignored,
      fiveHundreds,
      uncoded: uncoded.length,
      genuineFailures,
      keepAliveResets: resets,
      connectionClosedByServer,
      newKeys: newKeys.length,
      foreignKeys: foreignKeys.map((k) => k.slice(stage?.prefix.length)),
      chatsBeyondAccepted: Math.max(0, unexpectedChats.length - accepted),
      otherPortalKeysChanged: JSON.stringify(otherKeysAfter) !== JSON.stringify(otherKeysBefore),
      otherChatVersion: otherVersion,
      workerAlive: worker.child.exitCode === null && worker.child.signalCode === null,
      rssMb: { before: Math.round(rssBefore / 1e6), after: Math.round(stats.rss / 1e6) },
    });
    expect(fiveHundreds).toBe(0);
    expect(uncoded).toEqual([]);
    expect(worker.child.exitCode === null && worker.child.signalCode === null).toBe(true);
    expect(genuineFailures).toBe(0);
    expect(resets).toBe(0);
    // Redis: only chats of the verified portal, and no more than the accepted events account for.
    expect(foreignKeys).toEqual([]);
    expect(unexpectedChats.length).toBeLessThanOrEqual(accepted);
    expect(otherKeysAfter).toEqual(otherKeysBefore);
    expect(otherVersion).toBe('1');
    expect(stats.rss).toBeLessThan(rssBefore + 200 * 1024 * 1024);
  },
);
