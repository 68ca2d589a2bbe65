// One worker process of an OAuth deployment, driven by its parent over IPC: it makes calls
// through its own transport (Redis token store and locks) and reports outcomes, the token
// requests it sent and the auth events it saw. Run with `node --import tsx`.
import { createRedisLockManager } from '@baton/store-redis';
import { Redis } from 'ioredis';
import type { AuthEvent } from '../../src/auth/auth-events.js';
import { createBitrixTransport } from '../../src/transport.js';
import { createRedisTokenStore } from './redis-token-store.js';

/** How the parent configures a worker (`process.argv[2]`, as JSON). */
export interface WorkerConfig {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly portal: string;
  readonly botId: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenUrl: string;
  readonly lockTtlMs: number;
}

/** Commands from the parent. */
export type WorkerCommand =
  | { readonly id: number; readonly op: 'call'; readonly chatId: number }
  | { readonly id: number; readonly op: 'failWrites'; readonly failing: boolean };

/** Messages to the parent. */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'auth'; readonly type: AuthEvent['type']; readonly reason?: string }
  | {
      readonly kind: 'reply';
      readonly id: number;
      readonly ok: boolean;
      readonly code?: string;
      readonly tokenRequests: number;
    };

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const send = (message: WorkerMessage) => process.send?.(message);
const redis = new Redis(config.redisUrl, { lazyConnect: false });
const tokens = createRedisTokenStore(redis, config.prefix);
let tokenRequests = 0;
const transport = createBitrixTransport({
  portals: { [config.portal]: { auth: { type: 'oauth' }, bot: { id: config.botId } } },
  oauth: {
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    tokenUrl: config.tokenUrl,
    tokens: tokens.store,
  },
  lockManager: createRedisLockManager({ url: config.redisUrl, prefix: config.prefix }),
  refreshLockTtlMs: config.lockTtlMs,
  refreshWaitPollMs: 20,
  timeoutMs: 5_000,
  fetch: (input, init) => {
    if (input === config.tokenUrl) tokenRequests += 1;
    return globalThis.fetch(input, init);
  },
  onAuthEvent: (event) =>
    send({ kind: 'auth', type: event.type, ...(event.type === 'auth.lost' ? { reason: event.reason } : {}) }),
});

process.on('message', async (command: WorkerCommand) => {
  if (command.op === 'failWrites') {
    tokens.failWrites(command.failing);
    send({ kind: 'reply', id: command.id, ok: true, tokenRequests });
    return;
  }
  const result = await transport.readDialogOwner({ portal: config.portal, chatId: command.chatId });
  send({
    kind: 'reply',
    id: command.id,
    ok: result.ok,
    ...(result.ok ? {} : { code: result.error.code }),
    tokenRequests,
  });
});
process.on('disconnect', () => process.exit(0));
send({ kind: 'ready' });
