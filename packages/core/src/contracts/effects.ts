import type { ChatKey } from '../chat-key.js';
import type { StoredChat } from './store.js';

/** A hand-over target on the platform: an employee or an open line's queue. */
export type TransferTarget =
  | { readonly kind: 'user'; readonly userId: number }
  | { readonly kind: 'queue'; readonly queueId: number };

/**
 * A platform call the engine must make, as recorded in the outbox. Each kind maps to one
 * `Transport` method. Entries are plain JSON so that any store can keep them.
 */
export type EffectCall =
  | {
      readonly kind: 'transfer';
      readonly target: TransferTarget;
      /** `true` sends `LEAVE=Y`. Ignored by the platform for queue transfers. */
      readonly leave: boolean;
    }
  | { readonly kind: 'removeBot' }
  | { readonly kind: 'readDialogOwner' }
  | { readonly kind: 'sendBotMessage'; readonly text: string }
  | { readonly kind: 'handToQueue' }
  | { readonly kind: 'finishSession' };

/** The kinds of platform call the engine can record. */
export type EffectKind = EffectCall['kind'];

/** One outbox entry: a platform call for one chat, with a stable id. */
export interface EffectEntry {
  /**
   * Unique for the chat and stable across retries of the same logical call: the result event
   * names it, so that a late answer to a call the chat has moved past is recognised and ignored.
   */
  readonly id: string;
  readonly key: ChatKey;
  readonly call: EffectCall;
}

/** An outbox entry this worker holds a lease on. */
export interface ClaimedEffect extends EffectEntry {
  /** Fencing token: completing with any other token is refused. */
  readonly leaseToken: string;
  /** How many times this entry has been claimed, this claim included. */
  readonly attempt: number;
  /**
   * Whether an earlier claim marked this entry's call started (`Store.startEffect`). `false`:
   * every earlier claim ended before its call began (a claim whose reply was lost, a worker that
   * died before calling), so the call never reached the transport. Absent when the store does not
   * record starts.
   */
  readonly startedBefore?: boolean;
}

/** A durable timer as written by a commit: fires `delayMs` after the commit, by the store's time. */
export interface TimerEntry {
  /**
   * Unique for the chat. The machine names the timer it is waiting for; a timer whose id the
   * chat no longer waits for is stale and does nothing when it fires.
   */
  readonly id: string;
  readonly key: ChatKey;
  /** Delay from the commit, measured by the store's clock. */
  readonly delayMs: number;
}

/** A due timer this worker holds a lease on. */
export interface ClaimedTimer {
  readonly id: string;
  readonly key: ChatKey;
  /** When it was due (store time, ms since epoch). */
  readonly dueAt: number;
  /** Fencing token for `completeTimer`. */
  readonly leaseToken: string;
  /**
   * The chat as it was when the timer was claimed, read in the same atomic step, when the
   * scheduler is also the store and can (`null`: the chat has no record). The engine then applies
   * the fired event without reading the chat first; a commit's version check still guards it.
   */
  readonly chat?: StoredChat | null;
}
