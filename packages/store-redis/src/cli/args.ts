import { parseArgs } from 'node:util';
import { portalIdSchema } from '@baton/core/adapter';
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** What `baton inspect` was asked for. */
export type InspectRequest =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'overview' | 'list' | 'chat' | 'backlog' | 'busy';
      readonly connection: { readonly url?: string; readonly cluster?: readonly string[] };
      readonly prefix: string | undefined;
      readonly json: boolean;
      readonly state?: string;
      readonly olderThanMs?: number;
      readonly portal?: string;
      readonly limit?: number;
      readonly chat?: { readonly portal: string; readonly chatId: number };
    };

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const usage = `Usage: baton inspect [options]

Looks into a Baton deployment's Redis: which chats are where, and why.

  (no filter)                       chats per state, and the outbox and timer backlog
  --state <state>                   chats in a state, longest waiting first
  --older-than <duration>           … in it for longer than this (10m, 90s, 2h, 1d)
  --portal <portal>                 … of one portal
  --limit <n>                       … at most n (default 100)
  --chat <portal>:<chatId>          one chat: state, context, pending work and its timeline
  --backlog                         the outbox and timer backlog
  --busy                            busy counts that differ from the chats holding the
                                    operators (all portals, or --portal); changes nothing
  --json                            machine-readable output

Connection (one of):
  --url <redis://…>                 default: $BATON_REDIS_URL, then $REDIS_URL
  --cluster <host:port,…>           a Redis Cluster's seed nodes
  --prefix <prefix>                 the store's key prefix (default: baton)

Examples:
  baton inspect --state awaitingOperator --older-than 10m
  baton inspect --chat b24-abc:311001
  baton inspect --backlog --json
  baton inspect --busy --portal b24-abc
`;

const chatSchema = z
  .string()
  .regex(/^.+:\d+$/, 'expected <portal>:<chatId>, e.g. b24-abc:311001')
  .transform((value) => {
    const at = value.lastIndexOf(':');
    return { portal: value.slice(0, at), chatId: Number(value.slice(at + 1)) };
  })
  .pipe(z.object({ portal: portalIdSchema, chatId: z.number().int().positive() }));

/** Reads `baton inspect`'s arguments; throws `UsageError` naming the mistake. */
export function parseInspectArgs(argv: readonly string[], env: NodeJS.ProcessEnv): InspectRequest {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        cluster: { type: 'string' },
        prefix: { type: 'string' },
        state: { type: 'string' },
        'older-than': { type: 'string' },
        portal: { type: 'string' },
        limit: { type: 'string' },
        chat: { type: 'string' },
        backlog: { type: 'boolean' },
        busy: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return { kind: 'help' };
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

  const url =
    text('url') ?? (text('cluster') === undefined ? (env.BATON_REDIS_URL ?? env.REDIS_URL) : undefined);
  const cluster = text('cluster')
    ?.split(',')
    .map((node) => node.trim())
    .filter(Boolean);
  if (url === undefined && cluster === undefined) {
    throw new UsageError('no Redis to inspect: give --url, --cluster, or set BATON_REDIS_URL');
  }
  if (url !== undefined && cluster !== undefined) throw new UsageError('give --url or --cluster, not both');
  if (url !== undefined && !/^rediss?:\/\//.test(url))
    throw new UsageError('--url must start with redis:// or rediss://');
  if (cluster?.some((node) => !/^[^:\s]+:\d+$/.test(node))) {
    throw new UsageError('--cluster takes host:port[,host:port…]');
  }

  const olderThan = text('older-than');
  const olderThanMs = olderThan === undefined ? undefined : parseDuration(olderThan);
  if (olderThan !== undefined && olderThanMs === undefined) {
    throw new UsageError(`--older-than: cannot read "${olderThan}" (use e.g. 500ms, 90s, 10m, 2h, 1d)`);
  }
  const limitText = text('limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0 && limit <= 100_000)) {
    throw new UsageError('--limit takes a whole number from 1 to 100000');
  }
  const chatText = text('chat');
  const chat = chatText === undefined ? undefined : chatSchema.safeParse(chatText);
  if (chat !== undefined && !chat.success) {
    throw new UsageError(`--chat: ${chat.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  const state = text('state');
  const portal = text('portal');
  const busy = values.busy === true;
  if (busy && (state !== undefined || olderThanMs !== undefined || limit !== undefined)) {
    throw new UsageError('--busy takes --portal only');
  }
  const filtered =
    !busy &&
    (state !== undefined || olderThanMs !== undefined || portal !== undefined || limit !== undefined);
  const kinds = [filtered, chat !== undefined, values.backlog === true, busy].filter(Boolean).length;
  if (kinds > 1) {
    throw new UsageError('give one of: a chat filter (--state, …), --chat, --backlog, or --busy');
  }

  return {
    kind:
      chat !== undefined
        ? 'chat'
        : values.backlog === true
          ? 'backlog'
          : busy
            ? 'busy'
            : filtered
              ? 'list'
              : 'overview',
    connection: url !== undefined ? { url } : { cluster: cluster ?? [] },
    prefix: text('prefix'),
    json: values.json === true,
    ...(state === undefined ? {} : { state }),
    ...(olderThanMs === undefined ? {} : { olderThanMs }),
    ...(portal === undefined ? {} : { portal }),
    ...(limit === undefined ? {} : { limit }),
    ...(chat?.success ? { chat: chat.data } : {}),
  };
}
