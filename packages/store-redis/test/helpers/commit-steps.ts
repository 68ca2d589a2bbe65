import type { ChatKey } from '@baton/core';
import { createRedisStore, type RedisStore } from '@baton/store-redis';
import type { Cluster, Redis } from 'ioredis';
import { createKeySpace, encodeRef } from '../../src/keys.js';
import { defineScripts } from '../../src/scripts/index.js';
import { type TestClock, testClock } from './clock.js';
import { deletePrefix, type RedisTarget, uniquePrefix } from './redis.js';

/** What one hand-run commit writes: its outbox entries and its timers (id and delay). */
export interface StepCommit {
  readonly eventId: string;
  readonly expectedVersion: number;
  readonly effects?: readonly string[];
  readonly timers?: readonly (readonly [id: string, delayMs: number])[];
  /** The deadline passed to the commit script; `''` for none. */
  readonly deadline?: string;
}

/**
 * The steps of a store commit (reserve the index refs, commit the chat, settle the refs) and of
 * a claim (take refs from a shard, fix them), each run by hand against a real Redis, so that a
 * test can stop a worker between any two of them or interleave two workers.
 */
export function commitSteps(target: RedisTarget, client: Redis | Cluster, chat: ChatKey, graceMs: number) {
  const prefix = uniquePrefix('steps');
  const clock: TestClock = testClock();
  const connection = target.name === 'cluster' ? { cluster: client as Cluster } : { redis: client as Redis };
  const store: RedisStore = createRedisStore({
    ...connection,
    prefix,
    clock,
    shards: 4,
    pendingGraceMs: graceMs,
  });
  const keys = createKeySpace(prefix, 4);
  const run = defineScripts(client);
  const shard = keys.shard(keys.shardOf(chat));
  const chatKeys = keys.chat(chat);
  const now = () => String(clock.now());
  const refOf = (id: string) => encodeRef(chat, id);
  const idsOf = (commit: StepCommit) => ({
    effects: commit.effects ?? [],
    timers: (commit.timers ?? []).map(([id]) => id),
  });

  /** Reserves a commit's refs; returns the reserved score of each ref (effects, then timers). */
  async function reserve(commit: StepCommit): Promise<{ tentative: number; reserved: number[] }> {
    const ids = idsOf(commit);
    const reply = (await run(
      'batonIndexReserve',
      [shard.outbox, shard.timers],
      [
        now(),
        graceMs,
        ids.effects.length,
        ...ids.effects.map(refOf),
        ids.timers.length,
        ...ids.timers.map(refOf),
      ],
    )) as number[];
    const [tentative = 0, ...reserved] = reply.map(Number);
    return { tentative, reserved };
  }

  /** Runs the chat's commit script; returns its status and the truth score of each ref. */
  async function commitChat(commit: StepCommit): Promise<{ status: number; scores: number[] }> {
    const timers = commit.timers ?? [];
    const effects = commit.effects ?? [];
    const reply = (await run(
      'batonCommit',
      [
        chatKeys.chat,
        chatKeys.dedupe,
        chatKeys.outbox,
        chatKeys.timers,
        chatKeys.history,
        keys.busy(chat.portal),
      ],
      [
        now(),
        commit.expectedVersion,
        commit.eventId,
        60_000,
        '{}',
        'bot',
        0,
        5,
        commit.deadline ?? '',
        0,
        '',
        '',
        '0',
        effects.length,
        ...effects.flatMap((id) => [id, '{"kind":"removeBot"}']),
        timers.length,
        ...timers.flat(),
        0,
      ],
    )) as unknown[];
    return { status: Number(reply[0]), scores: reply.slice(4).map(Number) };
  }

  /** Copies a commit's truth into the shard indexes, as the committing worker would. */
  async function settle(commit: StepCommit, reserved: number[], scores: number[]): Promise<void> {
    const ids = idsOf(commit);
    const triples = (list: readonly string[], offset: number) =>
      list.flatMap((id, index) => [refOf(id), reserved[offset + index] ?? -1, scores[offset + index] ?? -1]);
    await run(
      'batonIndexSettle',
      [shard.outbox, shard.timers],
      [
        ids.effects.length,
        ...triples(ids.effects, 0),
        ids.timers.length,
        ...triples(ids.timers, ids.effects.length),
      ],
    );
  }

  /** A claim's first step: takes due refs from the chat's shard, hiding them for `leaseMs`. */
  async function takeRefs(index: 'outbox' | 'timers', leaseMs: number) {
    const reply = (await run('batonIndexClaim', [shard[index]], [now(), 100, leaseMs])) as unknown[];
    return { leaseUntil: Number(reply[1]), refs: reply.slice(2).map(String) };
  }

  /** A claim's last step: removes a ref it judged gone, if it still carries `expected`. */
  async function dropRef(index: 'outbox' | 'timers', ref: string, expected: number): Promise<void> {
    await run('batonIndexFix', [shard[index]], [ref, expected, -1]);
  }

  return {
    store,
    clock,
    refOf,
    reserve,
    commitChat,
    settle,
    takeRefs,
    dropRef,
    async cleanUp() {
      await store.close();
      await deletePrefix(client, prefix);
    },
  };
}
