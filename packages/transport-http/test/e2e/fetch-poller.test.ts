import { type BatonEventInput, createMemoryLockManager } from '@baton/core';
import { createEmulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchPoller } from '../../src/inbound/fetch-poller.js';
import { createBitrixTransport } from '../../src/transport.js';

type Emulator = Awaited<ReturnType<typeof createEmulator>>;
const emulators: Emulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});

async function setup() {
  const emulator = await createEmulator({ rateLimit: false });
  emulators.push(emulator);
  const portal = emulator.createPortal();
  const webhook = portal.createWebhook();
  const bot = portal.registerBot({ eventsVersion: 2 }); // no handler URL: fetch mode
  const line = portal.createLine({ queue: [portal.createOperator().userId] });
  // No join event: these tests are about the order and acknowledgement of messages.
  const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId, announceJoin: false });
  const transport = createBitrixTransport({
    portals: {
      [portal.memberId]: {
        auth: { type: 'webhook', url: webhook.baseUrl },
        bot: { id: bot.botId, clientId: bot.clientId, api: 'v2' },
      },
    },
  });
  return { emulator, portal, chat, transport, locks: createMemoryLockManager() };
}

const texts = (events: BatonEventInput[]) =>
  events.map((event) => (event.type === 'message' ? event.text : event.type));

describe('the v2 fetch-mode poller', () => {
  it('accepts fetched events in order and only one worker polls a bot', async () => {
    const t = await setup();
    const accepted: BatonEventInput[] = [];
    const accept = async (event: BatonEventInput) => {
      accepted.push(event);
    };
    const first = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      accept,
      lockManager: t.locks,
    });
    const second = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      accept,
      lockManager: t.locks,
    });
    await t.portal.clientWrites(t.chat.chatId, 'one');
    await t.portal.clientWrites(t.chat.chatId, 'two');
    const firstPoll = await first.pollOnce();
    expect(firstPoll).toMatchObject({ status: 'polled', accepted: 2, stalled: false });
    expect(await second.pollOnce()).toEqual({ status: 'locked' });
    expect(texts(accepted)).toEqual(['one', 'two']);
    expect(accepted[0]).toMatchObject({
      portal: t.portal.memberId,
      chatId: t.chat.chatId,
      author: { kind: 'client' },
    });
    await first.stop();
    // Once the first one stopped (and acknowledged), the second takes over and sees nothing old.
    expect(await second.pollOnce()).toMatchObject({ status: 'polled', received: 0 });
    await second.stop();
  });

  it('acknowledges only accepted events: a failed accept brings the rest back', async () => {
    const t = await setup();
    const accepted: BatonEventInput[] = [];
    let failNext = false;
    const poller = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      lockManager: t.locks,
      accept: async (event) => {
        if (failNext && event.type === 'message' && event.text === 'two') {
          failNext = false;
          throw new Error('store unavailable');
        }
        accepted.push(event);
      },
    });
    for (const text of ['one', 'two', 'three']) await t.portal.clientWrites(t.chat.chatId, text);
    failNext = true;
    expect(await poller.pollOnce()).toMatchObject({ status: 'polled', accepted: 1, stalled: true });
    expect(await poller.pollOnce()).toMatchObject({ status: 'polled', accepted: 2, stalled: false });
    expect(texts(accepted)).toEqual(['one', 'two', 'three']);
    await poller.stop();
  });

  it('polls in the background until stopped, and the stop acknowledges what was accepted', async () => {
    const t = await setup();
    const accepted: BatonEventInput[] = [];
    const poller = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      lockManager: t.locks,
      intervalMs: 20,
      accept: async (event) => {
        accepted.push(event);
      },
    });
    poller.start();
    await t.portal.clientWrites(t.chat.chatId, 'background');
    for (let waited = 0; accepted.length === 0 && waited < 3_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await poller.stop();
    expect(texts(accepted)).toEqual(['background']);
    const next = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      accept: async () => undefined,
      lockManager: t.locks,
    });
    expect(await next.pollOnce()).toMatchObject({ status: 'polled', received: 0 });
    await next.stop();
  });

  it('re-delivered events keep their ids, so the engine can drop the duplicates', async () => {
    const t = await setup();
    const ids: string[] = [];
    const poller = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      lockManager: t.locks,
      accept: async (event) => {
        ids.push(event.id);
      },
    });
    await t.portal.clientWrites(t.chat.chatId, 'hello');
    await poller.pollOnce();
    t.emulator.faults.add({ method: 'imbot.v2.Event.get', kind: 'duplicateEvents', times: 1 });
    await poller.pollOnce();
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
    await poller.stop();
  });

  it("can be started again after stop, and by default shares the transport's locks", async () => {
    const t = await setup();
    const accepted: BatonEventInput[] = [];
    const accept = async (event: BatonEventInput) => {
      accepted.push(event);
    };
    const poller = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      accept,
      intervalMs: 10,
    });
    const rival = createFetchPoller({ client: t.transport.client, portal: t.portal.memberId, accept });
    const waitFor = async (count: number) => {
      for (let waited = 0; accepted.length < count && waited < 3_000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    poller.start();
    await t.portal.clientWrites(t.chat.chatId, 'before');
    await waitFor(1);
    // Neither poller was given a lock manager: the one of the transport keeps them apart.
    expect(await rival.pollOnce()).toEqual({ status: 'locked' });
    await poller.stop();
    poller.start();
    await t.portal.clientWrites(t.chat.chatId, 'after');
    await waitFor(2);
    await poller.stop();
    expect(texts(accepted)).toEqual(['before', 'after']);
    await rival.stop();
    await t.transport.close();
  });

  it('reports a failing lock manager instead of throwing, and the background loop carries on', async () => {
    const t = await setup();
    const errors: string[] = [];
    let failures = 2;
    const flaky = {
      tryAcquire: async (name: string, ttlMs: number) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('lock store down');
        }
        return t.locks.tryAcquire(name, ttlMs);
      },
      close: async () => undefined,
    };
    const accepted: BatonEventInput[] = [];
    const poller = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      lockManager: flaky,
      intervalMs: 10,
      onError: (error) => errors.push(error.code),
      accept: async (event) => {
        accepted.push(event);
      },
    });
    expect(await poller.pollOnce()).toMatchObject({ status: 'failed', error: { code: 'UNEXPECTED' } });
    poller.start();
    await t.portal.clientWrites(t.chat.chatId, 'still here');
    for (let waited = 0; accepted.length === 0 && waited < 3_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await poller.stop();
    expect(texts(accepted)).toEqual(['still here']);
    expect(errors).toEqual(['UNEXPECTED', 'UNEXPECTED']);
  });

  it('stops in the middle of a batch when its lease ran out, leaving the rest to the next owner', async () => {
    const t = await setup();
    const slowAccepted: BatonEventInput[] = [];
    const slow = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      lockManager: t.locks,
      // A lease long enough for the fetch itself on a busy machine, shorter than one event's handling.
      lockTtlMs: 1_000,
      accept: async (event) => {
        slowAccepted.push(event);
        await new Promise((resolve) => setTimeout(resolve, 1_500)); // longer than the lease
      },
    });
    for (const text of ['one', 'two', 'three']) await t.portal.clientWrites(t.chat.chatId, text);
    expect(await slow.pollOnce()).toEqual({ status: 'locked' });
    expect(texts(slowAccepted)).toEqual(['one']);
    const nextAccepted: BatonEventInput[] = [];
    const next = createFetchPoller({
      client: t.transport.client,
      portal: t.portal.memberId,
      lockManager: t.locks,
      accept: async (event) => {
        nextAccepted.push(event);
      },
    });
    expect(await next.pollOnce()).toMatchObject({ status: 'polled', stalled: false });
    expect(texts(nextAccepted)).toContain('three');
    await next.stop();
    await slow.stop();
  });
});
