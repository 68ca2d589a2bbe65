// One worker process of engine.bench.ts's throughput with 1 and 2 processes (not a benchmark on
// its own: its name does not end in `.bench.ts`). It opens its own chats with a first client
// message, says `ready`, waits for `go` on stdin, dispatches client messages with 32 in flight,
// and prints `done <events> <ms>`.
// Arguments: <redis url> <prefix> <first chat id> <chats> <events>.
import { createInterface } from 'node:readline';
import { type BatonEventInput, createEngine, withRateLimit } from '@baton/core';
import { createFakeTransport } from '@baton/core/testing';
import { Redis } from 'ioredis';
import { createRedisRateLimiter, createRedisStore, recommendedClientOptions } from '../src/index.js';
import { pool } from './bench-support.js';

const [url = '', prefix = '', first = '0', chatCount = '0', eventCount = '0'] = process.argv.slice(2);
const chats = Number(chatCount);
const events = Number(eventCount);
const portal = 'b24-bench.bitrix24.com';
let seq = 0;
const clientSays = (chatId: number): BatonEventInput => ({
  type: 'message',
  id: `proc-${process.pid}-${++seq}`,
  portal,
  chatId,
  author: { userId: 700_123, kind: 'client' },
  text: 'Good afternoon, where is my order #448812?',
});

const client = new Redis(url, recommendedClientOptions);
const store = createRedisStore({ redis: client, prefix });
const limiter = createRedisRateLimiter({
  redis: client,
  prefix: `${prefix}-limits`,
  limit: { ratePerSecond: 1_000_000, burst: 1_000_000 },
});
const engine = createEngine({ transport: withRateLimit(createFakeTransport(), limiter), store });
const chatId = (index: number) => Number(first) + (index % chats);

await pool(chats, 32, (index) => engine.dispatch(clientSays(chatId(index))));
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
const started = performance.now();
await pool(events, 32, (index) => engine.dispatch(clientSays(chatId(index))));
const ms = performance.now() - started;
process.stdout.write(`done ${events} ${ms.toFixed(1)}\n`);
lines.close();
await engine.stop();
await store.close();
await limiter.close();
client.disconnect();
