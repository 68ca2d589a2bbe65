import type { Cluster, Redis } from 'ioredis';
import { RedisStoreError } from '../errors.js';
import { commitLua } from './commit.js';
import { lockAcquireLua, lockExtendLua, lockReleaseLua } from './lock.js';
import { indexClaimLua, indexFixLua, indexRepairLua } from './portal-index.js';
import { rateAcquireLua, ratePenalizeLua } from './rate-limit.js';
import {
  claimEffectsLua,
  claimTimersLua,
  completeEffectLua,
  completeTimerLua,
  startEffectLua,
} from './records.js';

/** Every script, with its key count. Names carry a `baton` prefix so as not to clash with a user's own commands. */
const definitions = {
  batonCommit: { numberOfKeys: 9, lua: commitLua },
  batonIndexClaim: { numberOfKeys: 1, lua: indexClaimLua },
  batonIndexFix: { numberOfKeys: 1, lua: indexFixLua },
  batonIndexRepair: { numberOfKeys: 1, lua: indexRepairLua },
  // Claims take a batch of candidates: as many keys as candidates (null: counted per call).
  batonClaimEffects: { numberOfKeys: null, lua: claimEffectsLua },
  batonCompleteEffect: { numberOfKeys: 6, lua: completeEffectLua },
  batonStartEffect: { numberOfKeys: 1, lua: startEffectLua },
  batonClaimTimers: { numberOfKeys: null, lua: claimTimersLua },
  batonCompleteTimer: { numberOfKeys: 6, lua: completeTimerLua },
  batonRateAcquire: { numberOfKeys: 1, lua: rateAcquireLua },
  batonRatePenalize: { numberOfKeys: 1, lua: ratePenalizeLua },
  batonLockAcquire: { numberOfKeys: 1, lua: lockAcquireLua },
  batonLockExtend: { numberOfKeys: 1, lua: lockExtendLua },
  batonLockRelease: { numberOfKeys: 1, lua: lockReleaseLua },
} as const;

/** The name of one of this package's scripts. */
export type ScriptName = keyof typeof definitions;

/** Runs a script: keys first (as many as its definition says), then arguments. */
export type RunScript = (
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<unknown>;

/** The Lua source of every script, for tests that load them into a real Redis. */
export const scriptSources: Readonly<Record<ScriptName, { numberOfKeys: number | null; lua: string }>> =
  definitions;

type ScriptMethod = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Defines every script on the client with `defineCommand` (EVALSHA, falling back to EVAL when
 * the server does not know the script yet, e.g. after a restart or a failover) and returns a
 * typed runner.
 */
export function defineScripts(client: Redis | Cluster): RunScript {
  for (const [name, { numberOfKeys, lua }] of Object.entries(definitions)) {
    // Without a fixed count, ioredis takes the number of keys as the first argument.
    client.defineCommand(name, numberOfKeys === null ? { lua } : { numberOfKeys, lua });
  }
  const methods = client as unknown as Record<ScriptName, ScriptMethod>;
  return (name, keys, args) => {
    const expected = definitions[name].numberOfKeys;
    if (expected === null) return methods[name].call(client, keys.length, ...keys, ...args);
    if (keys.length !== expected) {
      throw new RedisStoreError('UNEXPECTED_REPLY', `${name} takes ${expected} keys`);
    }
    return methods[name].call(client, ...keys, ...args);
  };
}

/** Reads a script's array reply, refusing anything else. */
export function replyArray(reply: unknown, operation: string): unknown[] {
  if (!Array.isArray(reply)) throw unexpected(operation, reply);
  return reply;
}

/** Reads a number from a script's reply (integers arrive as numbers, strings are parsed). */
export function replyNumber(value: unknown, operation: string): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw unexpected(operation, value);
  return number;
}

/** Reads a string from a script's reply. */
export function replyString(value: unknown, operation: string): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw unexpected(operation, value);
}

function unexpected(operation: string, reply: unknown): RedisStoreError {
  return new RedisStoreError(
    'UNEXPECTED_REPLY',
    `${operation} answered ${JSON.stringify(reply)?.slice(0, 200)}, which this version does not understand`,
    { context: { operation } },
  );
}
