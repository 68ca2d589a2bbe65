import { type BatonEventInput, createEngine, type Engine } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { createRedisStore, type RedisStore } from '@baton/store-redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, deletePrefix, redisTargets, uniquePrefix } from './helpers/redis.js';

// Round trips counted from outside: Redis `MONITOR` lists every command each connection sends
// (commands a script runs show up as `lua` and are not round trips). Standalone only: a Cluster
// runs the same single script per event, on the chat's node.
const target = redisTargets().find((candidate) => candidate.name === 'standalone');
const portal = 'b24-round-trips.bitrix24.ru';
const clientId = 5_120_377;
let eventSeq = 300_000;

const clientSays = (chatId: number, text: string): BatonEventInput => ({
  type: 'message',
  id: `im-${++eventSeq}`,
  portal,
  chatId,
  author: { userId: clientId, kind: 'client' },
  text,
});

/** The address Redis sees for `client`, as MONITOR names the source of its commands. */
async function addressOf(client: Redis): Promise<string> {
  const info = String(await client.client('INFO'));
  const addr = /\baddr=(\S+)/.exec(info)?.[1];
  if (addr === undefined) throw new Error(`CLIENT INFO named no addr: ${info}`);
  return addr;
}

/** Records every command that `sources` send, in order, lowercased with their arguments. */
async function watch(monitorClient: Redis) {
  const seen: Array<{ source: string; args: string[] }> = [];
  const monitor = await monitorClient.monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    seen.push({ source, args: args.map(String) });
  });
  return { seen, stop: () => monitor.disconnect() };
}

describe.skipIf(target?.skipReason !== undefined || target === undefined)(
  'Redis round trips per client message',
  () => {
    const prefix = uniquePrefix('rt');
    const clients: Redis[] = [];
    const stores: RedisStore[] = [];
    const engines: Engine[] = [];
    let watcher: Awaited<ReturnType<typeof watch>>;
    let markSeq = 0;

    const connect = () => {
      const client = target?.connect() as Redis;
      clients.push(client);
      return client;
    };
    /** One worker: its own connection, store and engine. */
    const worker = async (chatCacheSize?: number) => {
      const client = connect();
      const store = createRedisStore({ redis: client, prefix });
      stores.push(store);
      const engine = createEngine({
        transport: createFakeTransport(),
        store,
        ...(chatCacheSize === undefined ? {} : { worker: { chatCacheSize } }),
      });
      engines.push(engine);
      return { client, engine, address: await addressOf(client) };
    };

    /**
     * The commands `client` sent while `work` ran: an `ECHO` mark before and after, on the same
     * connection, so that MONITOR's stream is cut exactly (it arrives asynchronously).
     */
    async function commandsOf(client: Redis, address: string, work: () => Promise<unknown>) {
      const begin = `mark-${++markSeq}`;
      const end = `mark-${++markSeq}`;
      await client.echo(begin);
      await work();
      await client.echo(end);
      const isMark = (mark: string) => (entry: { source: string; args: string[] }) =>
        entry.source === address && entry.args[0]?.toLowerCase() === 'echo' && entry.args[1] === mark;
      for (let wait = 0; !watcher.seen.some(isMark(end)); wait += 1) {
        if (wait > 200) throw new Error('MONITOR never showed the end mark');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const from = watcher.seen.findIndex(isMark(begin));
      const to = watcher.seen.findIndex(isMark(end));
      return watcher.seen
        .slice(from + 1, to)
        .filter((entry) => entry.source === address)
        .map((entry) => entry.args[0]?.toLowerCase());
    }

    beforeAll(async () => {
      watcher = await watch(connect());
    });
    afterAll(async () => {
      await Promise.all(engines.map((engine) => engine.stop()));
      await Promise.all(stores.map((store) => store.close()));
      watcher.stop();
      await deletePrefix(clients[0] as Redis, prefix);
      await Promise.all(clients.map((client) => closeClient(client)));
    });

    it('a warm chat the bot holds: exactly one round trip, the commit script', async () => {
      const { client, engine, address } = await worker();
      const chatId = 8_840_101;
      await engine.dispatch(clientSays(chatId, 'Здравствуйте'));
      await engine.dispatch(clientSays(chatId, 'Подскажите статус заказа 5530127'));
      const commands = await commandsOf(client, address, async () => {
        const result = await engine.dispatch(clientSays(chatId, 'Заказ оформлен вчера'));
        expect(result).toMatchObject({ status: 'applied', state: 'bot', route: 'bot', version: 3 });
      });
      expect(commands).toEqual(['evalsha']);
    });

    it('another worker committed in between: one more round trip (the retried commit), no read', async () => {
      const first = await worker();
      const second = await worker();
      const chatId = 8_840_102;
      await first.engine.dispatch(clientSays(chatId, 'Здравствуйте'));
      await first.engine.dispatch(clientSays(chatId, 'Есть кто-нибудь?'));
      await second.engine.dispatch(clientSays(chatId, 'Пишу со второй вкладки'));
      const commands = await commandsOf(first.client, first.address, async () => {
        expect(await first.engine.dispatch(clientSays(chatId, 'Ответьте, пожалуйста'))).toMatchObject({
          status: 'applied',
          version: 4,
        });
      });
      expect(commands).toEqual(['evalsha', 'evalsha']);
    });

    it('without the cache (chatCacheSize 0): a read, then the commit script', async () => {
      const { client, engine, address } = await worker(0);
      const chatId = 8_840_103;
      await engine.dispatch(clientSays(chatId, 'Здравствуйте'));
      const commands = await commandsOf(client, address, () =>
        engine.dispatch(clientSays(chatId, 'Подскажите статус заказа 5530127')),
      );
      expect(commands).toEqual(['hmget', 'evalsha']);
    });
  },
);
