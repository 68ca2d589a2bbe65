import type { ChatKey } from '../chat-key.js';
import type { TransferTarget } from './effects.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * What a failure says about the call, so that the engine can decide alone whether and when to
 * make it again (the transport makes one attempt per call):
 * - `target`: the platform refused this call for its target or arguments (e.g. `OPERATOR_WRONG`);
 *   repeating it uses up the step's transfer attempts;
 * - `budget`: the portal's request budget is spent (`QUERY_LIMIT_EXCEEDED`, an operating limit,
 *   a rate-limit wait that would last too long); the call did not run;
 * - `transient`: the way to the platform failed (a 5xx, a timeout, a reset connection).
 */
export type FailureKind = 'target' | 'budget' | 'transient';

/**
 * Why a platform call failed, as data. `code` is the platform's error code
 * (`OPERATOR_WRONG`, `QUERY_LIMIT_EXCEEDED`, …) or the transport's own
 * (`TIMEOUT`, `NETWORK`, `INVALID_RESPONSE`, `RATE_LIMITED`, …). The engine never looks at a
 * code to decide: `retryable`, `kind` and `outcomeUnknown` say all it needs.
 */
export interface TransportFailure {
  readonly code: string;
  /** Whether the same call may succeed if made again later. */
  readonly retryable: boolean;
  /**
   * What the failure says about the call (see `FailureKind`).
   * @defaultValue 'target'
   */
  readonly kind?: FailureKind;
  /**
   * `true` when the call may have run on the platform although it failed (no complete answer, a
   * 5xx): a transfer failing so is not repeated before the dialog is read.
   * @defaultValue false
   */
  readonly outcomeUnknown?: boolean;
  /**
   * `true` when no request was sent at all (the rate limiter gave no grant in time, the call was
   * aborted before sending): the engine retries such a transfer later without charging it to the
   * plan step's attempts or request budget.
   * @defaultValue false
   */
  readonly notSent?: boolean;
  /** A hint for when to try again, when the platform or the limiter gave one. */
  readonly retryAfterMs?: number;
  /** HTTP status, when there was a response. */
  readonly status?: number;
  /** A human-readable description; never contains secrets. */
  readonly message: string;
}

/**
 * The most chats whose dialogs one platform request reads in a grouped read (Bitrix24 `batch` holds
 * 50 commands, one `imopenlines.dialog.get` per chat): the engine's groups of polls, and the grants
 * `withRateLimit` takes for a grouped read.
 */
export const dialogReadsPerRequest = 50;

/** A transport call's outcome: a value, or a failure as data (never a thrown error). */
export type TransportResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: TransportFailure };

/** Hand the chat to a user or a queue. */
export interface TransferRequest extends ChatKey {
  readonly target: TransferTarget;
  /** `true` sends `LEAVE=Y`: with a user target the bot leaves at once. Ignored for queues. */
  readonly leave: boolean;
}

/** Common options of every transport call. */
export interface CallOptions {
  /** Aborts the call; the result is then a failure with code `ABORTED`. */
  readonly signal?: AbortSignal;
}

/**
 * The dialog as the platform reports it now: who owns it and whether the bot is still a member.
 * The engine reads it to confirm an answer and to settle an outcome it could not observe (a call
 * whose answer was lost, an answer that may belong to a step the plan has left).
 */
export interface DialogOwner {
  /** The dialog's owner: `0` while no operator has answered. Never the bot itself (report `0`). */
  readonly ownerId: number;
  /** Whether the bot is still a member of the chat; leave it out when the transport cannot tell. */
  readonly botPresent?: boolean;
}

/** The outcome of removing the bot: `alreadyGone` when it was not a member any more. */
export interface BotRemoval {
  readonly alreadyGone: boolean;
}

/**
 * What the lifecycle needs from a platform. Each call names its portal (one transport may serve
 * many) and returns a `TransportResult`; it never throws for platform or network failures.
 * Implementations: `@baton/transport-http` (Bitrix24 REST), `createFakeTransport` in
 * `@baton/core/testing`; `transportConformanceSuite` there checks any other.
 *
 * Required are the four calls the lifecycle makes: `transfer`, `removeBot`, `readDialogOwner`,
 * `sendBotMessage`; `readDialogOwners` is an optional grouped `readDialogOwner` that saves
 * requests. A transport makes one attempt per call and describes a failure (`retryable`, `kind`,
 * `outcomeUnknown`); the engine alone decides whether to call again.
 *
 * Deliberately left out: inbound events (see the transport's own parser), retries (the
 * engine's) and any state — a transport remembers nothing about chats.
 */
export interface Transport {
  /**
   * The limiter that grants every request this transport sends (`@baton/transport-http` takes its
   * `rateLimiter` option; `withRateLimit` puts any transport behind one). Rate limiting lives here
   * and only here: the engine takes no grants. A transport without one is put behind an
   * in-process limiter by the engine, which refuses that with a shared store.
   */
  readonly rateLimiter?: RateLimiter;
  /** `imopenlines.bot.session.transfer`. */
  transfer(request: TransferRequest, options?: CallOptions): Promise<TransportResult<void>>;
  /** Removes the bot from the chat (`imbot.chat.leave` / `imbot.v2.Chat.leave`); "not a member" is success. */
  removeBot(chat: ChatKey, options?: CallOptions): Promise<TransportResult<BotRemoval>>;
  /**
   * Reads who owns the dialog (`imopenlines.dialog.get`) and, where it can, whether the bot is
   * still a member: for confirmation polling and for settling ambiguous outcomes.
   */
  readDialogOwner(chat: ChatKey, options?: CallOptions): Promise<TransportResult<DialogOwner>>;
  /**
   * Optional: the owners of several chats of ONE portal in one platform request where the platform
   * allows (Bitrix24 `batch`: 50 chats, one `imopenlines.dialog.get` each). The engine uses it for
   * the confirmation polls it finds due together, in groups of at most 50, and reads alone where
   * this is missing; polls need only the owner, so a grouped read may leave `botPresent` out (the
   * read that settles an unknown transfer outcome, which needs it, is always a single
   * `readDialogOwner`). A transport given more chats than one request holds splits them.
   *
   * Returns one outcome per chat, in the order of `chats` (same length): one chat's failure (its
   * dialog not readable, an error inside the batch) does not fail the others; a failure of the
   * whole request is every chat's outcome. Like every call it never throws for platform or network
   * failures. `withRateLimit` takes one grant per 50 chats for it.
   */
  readDialogOwners?(
    chats: readonly ChatKey[],
    options?: CallOptions,
  ): Promise<readonly TransportResult<DialogOwner>[]>;
  /** Sends a message as the bot into the chat. */
  sendBotMessage(
    chat: ChatKey & { readonly text: string },
    options?: CallOptions,
  ): Promise<TransportResult<void>>;
  /** Optional, never called by the lifecycle: `imopenlines.bot.session.operator`, hand to a free operator of the line's own queue. */
  handToQueue?(chat: ChatKey, options?: CallOptions): Promise<TransportResult<void>>;
  /** Optional, never called by the lifecycle: `imopenlines.bot.session.finish`. */
  finishSession?(chat: ChatKey, options?: CallOptions): Promise<TransportResult<void>>;
  /** Releases connections and timers. Idempotent. The engine never calls it: whoever created the transport closes it. */
  close?(): Promise<void>;
}
