import type { RateLimit } from '@baton/core';

/** Where a worker dies on purpose (SIGKILL), counted over the moments of that kind. */
export type CrashPoint =
  /** a commit that recorded a transfer in the outbox succeeded */
  | 'after-commit'
  /** the rate limiter granted a request */
  | 'after-grant'
  /** the emulator answered a transfer request; the answer was not read yet */
  | 'after-send'
  /** the call's outcome is committed; the outbox entry is not completed yet */
  | 'after-result';

/** What a portal's worker needs to call it and to verify its events. */
export interface PortalAccess {
  readonly memberId: string;
  readonly webhookUrl: string;
  readonly botId: number;
  readonly botClientId: string;
  readonly applicationToken: string;
}

/** A worker's settings, passed as JSON in its environment. */
export interface WorkerConfig {
  readonly name: string;
  readonly redis: { readonly url: string } | { readonly cluster: readonly string[] };
  readonly prefix: string;
  readonly portals: readonly PortalAccess[];
  /** The portals' bucket; the limiter grants by `withHeadroom(limit, headroomReserve)`. */
  readonly limit: RateLimit;
  readonly headroomReserve?: number;
  readonly worker: {
    pollIntervalMs?: number;
    effectLeaseMs?: number;
    batchSize?: number;
    timerVisibilityMs?: number;
  };
  readonly lifecycle?: Record<string, number>;
  readonly confirmationTimeoutMs?: number;
  /** ioredis `commandTimeout`: commands fail after this long instead of waiting. */
  readonly commandTimeoutMs?: number;
  /** How long the inbound handler keeps retrying a failed dispatch. */
  readonly acceptRetryMs?: number;
  /** `kill` (default): SIGKILL there; `stop`: SIGSTOP there, holding whatever lease it has. */
  readonly crash?: { readonly at: CrashPoint; readonly nth: number; readonly action?: 'kill' | 'stop' };
  /** `false`: take inbound events only, run no outbox or timers. */
  readonly background?: boolean;
  /** Routes a transfer request without a plan to the least busy of `pool`, none past `maxChats`. */
  readonly routing?: { readonly pool: readonly number[]; readonly maxChats: number; readonly leave: boolean };
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly port: number; readonly pid: number }
  | { readonly type: 'crashing'; readonly at: CrashPoint }
  | {
      readonly type: 'timer';
      readonly portal: string;
      readonly chatId: number;
      readonly timerId: string;
      readonly at: number;
    };
