import type { ChatKey } from '../chat-key.js';
import type { ClaimedEffect, EffectEntry, TimerEntry } from './effects.js';
import type { OnWork } from './scheduler.js';

/**
 * What a store keeps for one chat: the machine's persisted snapshot (plain JSON) and the
 * version that guards every write.
 */
export interface StoredChat {
  /** The XState persisted snapshot, as JSON-compatible data. Validated by the engine on load. */
  readonly snapshot: unknown;
  /** Starts at 1 with the first commit; every commit adds 1. */
  readonly version: number;
  /** A few facts kept beside the snapshot so that stores can index and inspect chats. */
  readonly summary: ChatSummary;
}

/** Facts about a chat that a store may index for inspection (e.g. "awaiting for 10 minutes"). */
export interface ChatSummary {
  /** The lifecycle state's name: `bot`, `transferring`, `awaitingOperator`, `operator`, `closed`. */
  readonly state: string;
  /** When the chat entered that state (engine clock, ms since epoch). */
  readonly stateSince: number;
  /**
   * The operator the chat counts against (busy counts): the user it is offered to while a
   * hand-over to them is in flight or waits, the operator who holds it once answered; absent when
   * nobody. The store keeps every operator's busy count equal to the number of chats naming them
   * here, changed in the same atomic commit.
   */
  readonly holder?: number;
}

/** One atomic write: everything an event changed for one chat, all or nothing. */
export interface Commit {
  readonly key: ChatKey;
  /** The version read before the transition; `0` when the chat did not exist. */
  readonly expectedVersion: number;
  readonly snapshot: unknown;
  readonly summary: ChatSummary;
  /** The id of the event that caused this commit; recorded for dedupe in the same write. */
  readonly eventId: string;
  /** Outbox entries to add. */
  readonly effects: readonly EffectEntry[];
  /** Timers to add (an existing timer with the same id is replaced). */
  readonly timersToSet: readonly TimerEntry[];
  /** Ids of this chat's timers to remove. Unknown ids are ignored. */
  readonly timersToCancel: readonly string[];
  /**
   * What the commit was about, for a store that keeps a history of commits (inspection only; a
   * store may ignore it): the event's type and, when there is one, why (a failure's code and
   * message, a transfer request's reason).
   */
  readonly note?: CommitNote;
  /**
   * The most chats `summary.holder` may hold, this one included, checked when this commit makes
   * them the chat's holder (the chat did not count against them before). An operator already at
   * the limit makes the commit `atCapacity`, and nothing changes. Ignored when the holder stays.
   */
  readonly maxChats?: number;
  /**
   * A claimed timer of this chat that the commit also completes, as `completeTimer` would: its
   * record is removed in the same atomic write if the lease token still holds it. The engine sets
   * it on the commit of a `timer.fired` event, which saves a separate completion. A store that
   * does this says so in the result (`timerCompleted`); one that ignores it leaves the timer to
   * `completeTimer`.
   */
  readonly completesTimer?: { readonly id: string; readonly leaseToken: string };
}

/** A commit's entry in a chat's history: the event's type and a short reason. */
export interface CommitNote {
  readonly eventType: string;
  /** At most 300 characters. */
  readonly reason?: string;
}

/**
 * The outcome of a commit. A conflict or a duplicate is an expected outcome, not an error:
 * the engine reloads and retries on `conflict`, and acknowledges a `duplicate`.
 */
export type CommitResult =
  | {
      readonly status: 'committed';
      readonly version: number;
      /**
       * Only when the commit named `completesTimer` and the store completes timers in commits:
       * whether the timer was removed (`false`: its lease token no longer held it).
       */
      readonly timerCompleted?: boolean;
    }
  | {
      readonly status: 'conflict';
      readonly currentVersion: number;
      /**
       * Only when the commit asked for it (`readOnConflict`) and the store can read in the same
       * atomic step: the chat as it is now, `null` when it has no record. Absent otherwise, so a
       * caller that finds it missing loads the chat itself.
       */
      readonly current?: StoredChat | null;
    }
  | { readonly status: 'duplicate' }
  /** `maxChats` refused the new holder: nothing changed. `busy` is the holder's count as the store saw it. */
  | { readonly status: 'atCapacity'; readonly operatorId: number; readonly busy: number };

/** Options of `Store.commit`. */
export interface CommitOptions {
  /**
   * Ask for the chat as it is now on a conflict (`current` on the result), read in the same
   * atomic step as the version check, so that a retry needs no `load`. A store may ignore it
   * (the caller then loads); the Redis and memory stores honour it.
   */
  readonly readOnConflict?: boolean;
}

/** Options for claiming outbox entries. */
export interface ClaimEffectsOptions {
  /** At most this many entries. */
  readonly limit: number;
  /** How long the claim holds before any worker may reclaim the entry. */
  readonly leaseMs: number;
}

/**
 * Where chats, their outbox and their dedupe records live. Implementations: the memory store in
 * `@baton/core` (the reference), `@baton/store-redis`. Every implementation must pass
 * `storeConformanceSuite` from `@baton/core/testing`.
 *
 * Deliberately left out: listing or deleting chats (see the store's own inspection API),
 * transactions across chats, and any notion of the machine's shape — the store keeps the
 * snapshot as opaque JSON.
 */
export interface Store {
  /**
   * Who sees this store's chats: `process` (this process alone, e.g. the memory store) or
   * `shared` (every worker connected to the same server, e.g. Redis). With a `shared` store the
   * engine requires the transport's rate limiter to be shared too.
   */
  readonly scope?: 'process' | 'shared';
  /** Reads one chat, or `undefined` when it has never been committed. */
  load(key: ChatKey): Promise<StoredChat | undefined>;
  /**
   * Atomically: refuse a seen `eventId` (`duplicate`), refuse a version other than
   * `expectedVersion` (`conflict`), refuse a new `summary.holder` already holding `maxChats`
   * chats (`atCapacity`), else write the snapshot with version + 1, move the chat's busy count
   * from its previous holder to the new one (when they differ), record the event id
   * (kept for at least the configured dedupe window), append the outbox entries, and set and
   * cancel the timers. The duplicate check comes first. Running the same commit twice (a client
   * resending after a reconnect) must not apply it twice: the second run is a `duplicate`.
   *
   * Every effect and timer must belong to `key`, and ids must not repeat within one commit
   * (otherwise the commit is invalid input). An effect id already in the outbox is replaced by the
   * new entry (unclaimed; the old lease can no longer complete it). Cancels apply before sets, so
   * cancelling and setting the same timer id restarts that timer.
   *
   * With `options.readOnConflict`, a conflict may also answer the chat's current record
   * (`current`); a store that cannot do that atomically leaves it out.
   */
  commit(commit: Commit, options?: CommitOptions): Promise<CommitResult>;
  /** Claims up to `limit` outbox entries that are unclaimed or whose lease expired. */
  claimEffects(options: ClaimEffectsOptions): Promise<ClaimedEffect[]>;
  /** Optional: work hints, as `Scheduler.onWork` (the engine reads outbox hints from here). */
  onWork?: OnWork;
  /**
   * Removes a claimed entry. Returns `false`, and changes nothing, when the lease token is no
   * longer the entry's (the lease expired and another worker claimed it) or the entry is gone.
   */
  completeEffect(effect: Pick<ClaimedEffect, 'id' | 'key' | 'leaseToken'>): Promise<boolean>;
  /**
   * Optional: records, just before the call is made, that this claim started it, so that a later
   * claimant can tell a call that may have run from one that never did (`startedBefore`). Returns
   * `false`, and changes nothing, when the lease token is no longer the entry's or the entry is
   * gone: the call must not be made.
   */
  startEffect?(effect: Pick<ClaimedEffect, 'id' | 'key' | 'leaseToken'>): Promise<boolean>;
  /** Releases what the store opened. Idempotent. */
  close(): Promise<void>;
  /**
   * Optional: resolves when the store can serve requests (e.g. Redis answers `PING` within its
   * command timeout), else rejects with a coded error. `engine.ready()` calls it.
   */
  ready?(): Promise<void>;
  /**
   * Optional: subscribes to failures the store sees outside any call (e.g. a connection it opened
   * lost its server). The engine forwards them to its `error` event and logger. Returns an
   * unsubscribe function.
   */
  onError?(listener: (error: unknown) => void): () => void;
}
