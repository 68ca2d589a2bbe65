import { z } from 'zod';
import { type LeakyBucketLimits, leakyBucketLimitsSchema } from './leaky-bucket.js';
import type { IdStrategy } from './model/ids.js';
import {
  defaultOperatingLimit,
  type OperatingLimitOptions,
  type ResolvedOperatingLimit,
} from './operating-limit.js';
import { defaultUtcOffset, utcOffsetSchema } from './platform-date.js';

/** Options of `createEmulator`. */
export interface EmulatorOptions {
  /**
   * Where to listen: only loopback (`127.0.0.0/8`, `::1`, `localhost`); anything else is a
   * `NON_LOOPBACK_HOST` error.
   * @defaultValue '127.0.0.1'
   */
  readonly host?: string;
  /** @defaultValue 0 (a free port) */
  readonly port?: number;
  /**
   * The per-portal leaky bucket; `false` disables it. Enterprise plans use `{ ratePerSecond: 5, burst: 250 }`.
   * @defaultValue `{ ratePerSecond: 2, burst: 50 }`
   */
  readonly rateLimit?: LeakyBucketLimits | false;
  /**
   * The per-method operating limit (`429 OPERATION_TIME_LIMIT`); `false` disables it. `{}` turns
   * it on with the platform's figures (480 s of execution time per method in 10 minutes).
   * @defaultValue false
   */
  readonly operatingLimit?: OperatingLimitOptions | false;
  /** @defaultValue 3_600_000 (one hour, as on the platform) */
  readonly accessTokenTtlMs?: number;
  /**
   * How long an event handler may take to answer before the delivery counts as failed (and is
   * lost: the platform never retries).
   * @defaultValue 10_000
   */
  readonly eventTimeoutMs?: number;
  /**
   * How long `imopenlines.bot.session.transfer` takes. Meanwhile it holds the chat's transfer
   * lock, so a concurrent transfer of the same chat answers `OPERATOR_WRONG`, as on the platform
   * (how long the platform really holds it is not documented). 0: transfers are instant.
   * @defaultValue 0
   */
  readonly transferDurationMs?: number;
  /**
   * How ids are made. `'random'`: users, bots, chats, sessions and messages get unique random ids
   * of 5 to 7 digits, as on a real portal, so that no id-size bug can hide; lines keep small ids
   * (1, 2, …), as real lines do; the administrator is user 1. `'sequential'`: counters (users from
   * 1, chats from 101, sessions from 1001, messages from 10001), for tests that spell ids out.
   * @defaultValue 'random'
   */
  readonly ids?: 'random' | 'sequential';
  /** Makes random ids repeatable: the same seed draws the same ids. @defaultValue a fresh seed per run */
  readonly idSeed?: number;
  /**
   * The v2 `user.type` of a connector (client) user. The documented values are `employee`,
   * `extranet`, `email`, `collaber` and `bot`; what a connector user gets is not settled by any
   * public source.
   * @defaultValue 'connector'
   */
  readonly connectorUserType?: string;
  /**
   * The portal's UTC offset, in which the platform writes dates (`time.date_start` /
   * `date_finish`, batch `result_time`, `server.time`): `2026-03-18T09:07:22+03:00`, whole
   * seconds. `±hh:mm`.
   * @defaultValue '+03:00'
   */
  readonly utcOffset?: string;
  /**
   * Serve HTTPS instead of HTTP, with a throw-away self-signed certificate made at start for
   * `127.0.0.1`, `::1`, `localhost` and `host` (see `Emulator.tls` for the certificate to trust).
   * The official SDK refuses a webhook URL that is not `https://`.
   * @defaultValue false
   */
  readonly tls?: boolean;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly rateLimit: LeakyBucketLimits | false;
  readonly operatingLimit: ResolvedOperatingLimit | false;
  readonly accessTokenTtlMs: number;
  readonly eventTimeoutMs: number;
  readonly transferDurationMs: number;
  readonly ids: IdStrategy;
  readonly connectorUserType: string;
  readonly utcOffset: string;
  readonly tls: boolean;
}

const positive = z.number().positive().finite();

export const emulatorOptionsSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  rateLimit: z.union([z.literal(false), leakyBucketLimitsSchema]).optional(),
  operatingLimit: z
    .union([
      z.literal(false),
      z.strictObject({
        windowMs: positive.optional(),
        budgetMs: positive.optional(),
        costMs: z.number().nonnegative().finite().optional(),
      }),
    ])
    .optional(),
  accessTokenTtlMs: positive.optional(),
  eventTimeoutMs: positive.optional(),
  transferDurationMs: z.number().int().nonnegative().max(60_000).optional(),
  ids: z.enum(['random', 'sequential']).optional(),
  idSeed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 32 - 1)
    .optional(),
  connectorUserType: z.string().min(1).max(40).optional(),
  utcOffset: utcOffsetSchema.optional(),
  tls: z.boolean().optional(),
});

export function resolveOptions(parsed: z.infer<typeof emulatorOptionsSchema>): ResolvedOptions {
  const operating = parsed.operatingLimit;
  return {
    host: parsed.host ?? '127.0.0.1',
    port: parsed.port ?? 0,
    rateLimit: parsed.rateLimit ?? { ratePerSecond: 2, burst: 50 },
    operatingLimit:
      operating === undefined || operating === false
        ? false
        : {
            windowMs: operating.windowMs ?? defaultOperatingLimit.windowMs,
            budgetMs: operating.budgetMs ?? defaultOperatingLimit.budgetMs,
            ...(operating.costMs === undefined ? {} : { costMs: operating.costMs }),
          },
    accessTokenTtlMs: parsed.accessTokenTtlMs ?? 3_600_000,
    eventTimeoutMs: parsed.eventTimeoutMs ?? 10_000,
    transferDurationMs: parsed.transferDurationMs ?? 0,
    ids:
      parsed.ids === 'sequential'
        ? { kind: 'sequential' }
        : { kind: 'random', ...(parsed.idSeed === undefined ? {} : { seed: parsed.idSeed }) },
    connectorUserType: parsed.connectorUserType ?? 'connector',
    utcOffset: parsed.utcOffset ?? defaultUtcOffset,
    tls: parsed.tls ?? false,
  };
}
