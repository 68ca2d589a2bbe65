import type { Counter } from '../clock.js';

/**
 * How a portal numbers its users, chats, sessions and messages. `random` (the default) draws
 * unique ids of 5 to 7 digits (sessions and messages growing from a random start, as the platform's
 * auto-increment keys do), like a real portal's database ids, so that a bug that only shows
 * with large ids (a PHP-style form parser compacting `data[BOT][123456]`, an id stored in a
 * small column) cannot hide; `seed` makes the draw repeatable. `sequential` counts from fixed
 * bases, for tests that spell ids out.
 */
export type IdStrategy =
  | { readonly kind: 'random'; readonly seed?: number }
  | { readonly kind: 'sequential' };

/** Smallest and largest id a random draw yields: 5 to 7 digits. */
export const RANDOM_ID_MIN = 10_000;
export const RANDOM_ID_MAX = 9_999_999;

/** A small deterministic PRNG (mulberry32): the same seed draws the same ids. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Draws ids for one kind of record. Random ids never repeat within the source, and never collide
 * with ids taken explicitly (`take`).
 */
export interface IdSource extends Counter {
  /** Reserves an id chosen by the caller; `false` when it is already used. */
  take(id: number): boolean;
}

function randomSource(random: () => number, used: Set<number>): IdSource {
  return {
    next() {
      for (;;) {
        const id = RANDOM_ID_MIN + Math.floor(random() * (RANDOM_ID_MAX - RANDOM_ID_MIN + 1));
        if (!used.has(id)) {
          used.add(id);
          return id;
        }
      }
    },
    take: (id) => !used.has(id) && Boolean(used.add(id)),
  };
}

/**
 * Ids that only grow, as a table's auto-increment key does, from a random start and by random
 * steps (other chats' rows take the ids in between). Sessions and messages are numbered so on the
 * platform, and code may rightly rely on a newer session having a larger id.
 */
function increasingSource(random: () => number, used: Set<number>): IdSource {
  let last = RANDOM_ID_MIN + Math.floor(random() * (RANDOM_ID_MAX / 10 - RANDOM_ID_MIN));
  return {
    next() {
      do last += 1 + Math.floor(random() * 97);
      while (used.has(last));
      used.add(last);
      return last;
    },
    take: (id) => !used.has(id) && Boolean(used.add(id)),
  };
}

function sequentialSource(first: number, used: Set<number>): IdSource {
  let value = first;
  return {
    next() {
      while (used.has(value)) value++;
      used.add(value);
      return value++;
    },
    take: (id) => !used.has(id) && Boolean(used.add(id)),
  };
}

/** The id sources of one portal. Users and bots share one source: a bot is a user. */
export interface PortalIds {
  readonly user: IdSource;
  readonly line: IdSource;
  readonly chat: IdSource;
  readonly session: IdSource;
  readonly message: IdSource;
  /** Fetch-mode event ids: an offset the bot acknowledges, a plain counter on the platform too. */
  readonly event: IdSource;
}

/** Sequential bases: chats, sessions and messages never read as one another. */
const bases = { user: 1, line: 1, chat: 101, session: 1001, message: 10_001, event: 1 } as const;

export function createPortalIds(strategy: IdStrategy, portalIndex: number): PortalIds {
  const make = (kind: keyof typeof bases, salt: number): IdSource => {
    const used = new Set<number>();
    // Lines keep small ids, as real lines do (their id is also a QUEUE_ID); so do event offsets.
    if (strategy.kind === 'sequential' || kind === 'line' || kind === 'event') {
      return sequentialSource(bases[kind], used);
    }
    const seed = strategy.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : strategy.seed;
    const random = mulberry32(seed + portalIndex * 7919 + salt * 104_729);
    return kind === 'session' || kind === 'message'
      ? increasingSource(random, used)
      : randomSource(random, used);
  };
  return {
    user: make('user', 1),
    line: make('line', 2),
    chat: make('chat', 3),
    session: make('session', 4),
    message: make('message', 5),
    event: make('event', 6),
  };
}
