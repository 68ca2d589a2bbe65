/**
 * Scenario 1 (and 9 on the Cluster): every inbound event delivered twice, in shuffled order, to
 * random worker processes, over the real inbound HTTP handler. Each distinct event is applied
 * exactly once, every duplicate is refused, no update is lost, and each chat's final snapshot is
 * what one process gets by replaying the chat's events in the order Redis committed them.
 */
import { randomInt } from 'node:crypto';
import { type BatonEventInput, createEngine } from '@baton/core';
import { createFakeTransport } from '@baton/core/fakes';
import { createRedisStore, type RedisStore } from '@baton/store-redis';
import { Cluster } from 'ioredis';
import { afterEach, describe, expect, test } from 'vitest';
import { formType, v1MessageForm } from './harness/payloads.js';
import { openStage, type Stage, sendAll } from './harness/scenario.js';
import { post } from './harness/workers.js';
import { redisFor, report, type ScenarioPortal, transferRequest } from './harness/world.js';

const cases = [
  { target: 'standalone' as const, workers: 8, chats: 500 },
  { target: 'cluster' as const, workers: 4, chats: 150 },
];

interface Delivery {
  readonly event: BatonEventInput;
  /** Form body for the inbound handler, or undefined for the bot application's own dispatch. */
  readonly form: string | undefined;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** A chat's events: two client messages, the bot's transfer request, one more client message. */
function chatEvents(
  portal: ScenarioPortal,
  chatId: number,
  clientUserId: number,
  firstMessageId: number,
): Delivery[] {
  const message = (messageId: number): Delivery => ({
    form: v1MessageForm(portal, {
      chatId,
      messageId,
      fromUserId: clientUserId,
      clientUserId,
      lineId: portal.lineId,
    }),
    event: {
      type: 'message',
      id: `bitrix:${portal.memberId}:message:${messageId}`,
      portal: portal.memberId,
      chatId,
      author: { userId: clientUserId, kind: 'client' },
      messageId: String(messageId),
      text: `client message ${messageId}`,
      lineId: portal.lineId,
    } as BatonEventInput,
  });
  return [
    message(firstMessageId),
    message(firstMessageId + 1),
    { form: undefined, event: transferRequest(portal, chatId, { leave: false }) as BatonEventInput },
    message(firstMessageId + 2),
  ];
}

describe.each(cases)('duplicates across workers ($target)', ({ target, workers, chats }) => {
  let stage: Stage | undefined;
  let store: RedisStore | undefined;
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await store?.close();
    cluster?.disconnect();
    cluster = undefined;
    await stage?.close();
    stage = undefined;
    store = undefined;
  });

  const redis = redisFor(target);
  test.skipIf(redis === undefined)(
    `${workers} workers, ${chats} chats, 3 portals, every event twice in shuffled order`,
    { timeout: 120_000 },
    async () => {
      const settings = redis as NonNullable<typeof redis>;
      stage = await openStage({ redis: settings, portals: 3, limit: false, extra: { background: false } });
      const { portals } = stage;
      const fleet = await stage.startWorkers(workers);

      const byChat = new Map<string, Delivery[]>();
      const byId = new Map<string, BatonEventInput>();
      for (let i = 0; i < chats; i += 1) {
        const portal = portals[i % portals.length] as ScenarioPortal;
        const chatId = 4_100_000 + i;
        const events = chatEvents(portal, chatId, 2_700_000 + i, 91_000_000 + i * 10);
        byChat.set(`${portal.memberId}:${chatId}`, events);
        for (const d of events) byId.set(d.event.id as string, d.event);
      }
      const deliveries = shuffle([...byChat.values()].flat().flatMap((d) => [d, d]));
      const started = Date.now();
      const statuses = new Map<number, number>();
      let duplicatesAnswered = 0;
      await sendAll(deliveries, 32, async (d) => {
        const worker = fleet[randomInt(fleet.length)] as (typeof fleet)[0];
        const answer =
          d.form === undefined
            ? await post(worker.port, '/_dispatch', JSON.stringify(d.event), 'application/json')
            : await post(worker.port, '/', d.form, formType);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if ((answer.body as { status?: string }).status === 'duplicate') duplicatesAnswered += 1;
      });
      const seconds = (Date.now() - started) / 1_000;

      if ('url' in settings) store = createRedisStore({ url: settings.url, prefix: stage.prefix });
      else {
        cluster = new Cluster(
          settings.cluster.map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })),
          { scaleReads: 'master' },
        );
        store = createRedisStore({ cluster, prefix: stage.prefix });
      }
      const reader = createEngine({ transport: createFakeTransport(), store });
      let commits = 0;
      let mismatches = 0;
      let lost = 0;
      for (const [name, events] of byChat) {
        const [portal, chat] = name.split(':') as [string, string];
        const key = { portal, chatId: Number(chat) };
        const details = await store.readChat(key);
        if (!details) {
          lost += events.length;
          continue;
        }
        commits += details.version;
        const committedIds = [...details.history].reverse().map((h) => h.eventId);
        if (new Set(committedIds).size !== events.length) lost += events.length - new Set(committedIds).size;
        // One process, the same events in the order Redis committed them.
        const replay = createEngine({ transport: createFakeTransport() });
        for (const id of committedIds) await replay.dispatch(byId.get(id) as BatonEventInput);
        const [mine, theirs] = await Promise.all([reader.getChat(key), replay.getChat(key)]);
        if (
          mine?.state !== theirs?.state ||
          JSON.stringify(comparable(mine?.context)) !== JSON.stringify(comparable(theirs?.context))
        ) {
          mismatches += 1;
          if (mismatches === 1) console.error('first mismatch', name, mine, theirs);
        }
        await replay.stop();
      }
      const distinct = byId.size;
      report(`duplicates (${target})`, {
        workers,
        chats,
        deliveries: deliveries.length,
        distinctEvents: distinct,
        applied: commits,
        duplicatesRefused: deliveries.length - commits,
        duplicatesReportedToDispatch: duplicatesAnswered,
        statuses: Object.fromEntries(statuses),
        lostUpdates: lost,
        replayMismatches: mismatches,
        seconds,
      });
      expect(statuses.get(200)).toBe(deliveries.length);
      expect(commits).toBe(distinct);
      expect(lost).toBe(0);
      expect(mismatches).toBe(0);
    },
  );
});

/** The context without the engine clock's readings, which differ between the two runs. */
function comparable(context: object | undefined): unknown {
  return JSON.parse(
    JSON.stringify(context ?? null, (key, value) => (/(At|Since|Deadline)$/.test(key) ? undefined : value)),
  );
}
