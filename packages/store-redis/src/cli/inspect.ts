import { Cluster } from 'ioredis';
import { createRedisStore, type RedisStore } from '../store.js';
import { type InspectRequest, parseInspectArgs, UsageError, usage } from './args.js';
import { formatBacklog, formatBusy, formatChat, formatChats, formatOverview } from './format.js';

/** Where the command writes. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** @defaultValue `Date.now` */
  readonly now?: () => number;
}

/**
 * `baton inspect`: reads a deployment's Redis (read-only) and prints chats by state and age, one
 * chat's timeline, the backlog, or busy counts that differ from the chats. Returns the exit code: 0 done, 1 Redis failed or the chat is
 * unknown, 2 a usage mistake.
 */
export async function runInspect(argv: readonly string[], io: CommandIo): Promise<number> {
  let request: InspectRequest;
  try {
    request = parseInspectArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`baton inspect: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (request.kind === 'help') {
    io.stdout(usage);
    return 0;
  }
  const store = openStore(request);
  const now = io.now ?? Date.now;
  const print = (value: unknown, text: () => string) =>
    io.stdout(request.json ? `${JSON.stringify(value, null, 2)}\n` : text());
  try {
    await store.ready();
    switch (request.kind) {
      case 'list': {
        const chats = await store.listChats({
          ...(request.state === undefined ? {} : { state: request.state }),
          ...(request.olderThanMs === undefined ? {} : { olderThanMs: request.olderThanMs }),
          ...(request.portal === undefined ? {} : { portal: request.portal }),
          limit: request.limit ?? 100,
        });
        const at = now();
        print(
          chats.map((chat) => ({ ...chat, ageMs: at - chat.stateSince })),
          () => formatChats(chats, at),
        );
        return 0;
      }
      case 'chat': {
        const chat = request.chat && (await store.readChat(request.chat));
        if (!chat) {
          io.stderr(
            `baton inspect: no chat ${request.chat?.portal}:${request.chat?.chatId} under this prefix\n`,
          );
          return 1;
        }
        print(chat, () => formatChat(chat, now()));
        return 0;
      }
      case 'backlog': {
        const backlog = await store.backlog();
        print(backlog, () => formatBacklog(backlog));
        return 0;
      }
      case 'busy': {
        const report = await store.repairBusyCounts(request.portal, { dryRun: true });
        print(report, () => formatBusy(report));
        return 0;
      }
      case 'overview': {
        const [chats, backlog] = await Promise.all([store.listChats({}), store.backlog()]);
        const states: Record<string, number> = {};
        for (const chat of chats) states[chat.state] = (states[chat.state] ?? 0) + 1;
        print({ states, backlog }, () => formatOverview(chats, backlog, now()));
        return 0;
      }
    }
  } catch (error) {
    io.stderr(`baton inspect: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

function openStore(request: Exclude<InspectRequest, { kind: 'help' }>): RedisStore {
  const prefix = request.prefix === undefined ? {} : { prefix: request.prefix };
  // Inspection waits on nobody: a dead server fails the command in seconds.
  const commandTimeoutMs = 5_000;
  if (request.connection.url !== undefined) {
    return createRedisStore({ url: request.connection.url, commandTimeoutMs, ...prefix });
  }
  const cluster = new Cluster(
    (request.connection.cluster ?? []).map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    }),
    { scaleReads: 'master', redisOptions: { commandTimeout: commandTimeoutMs, maxRetriesPerRequest: 3 } },
  );
  cluster.on('error', () => {}); // reported by the failing command
  const store = createRedisStore({ cluster, ...prefix });
  return {
    ...store,
    close: async () => {
      await store.close();
      cluster.disconnect();
    },
  };
}
