import type { ChatKey } from '../chat-key.js';
import { type Clock, systemClock } from '../contracts/clock.js';
import type {
  BotRemoval,
  CallOptions,
  DialogOwner,
  FailureKind,
  TransferRequest,
  Transport,
  TransportFailure,
  TransportResult,
} from '../contracts/transport.js';

/** The transport methods a fake transport records and scripts. */
export type FakeMethod =
  | 'transfer'
  | 'removeBot'
  | 'readDialogOwner'
  | 'readDialogOwners'
  | 'sendBotMessage'
  | 'handToQueue'
  | 'finishSession';

/** What each method is called with. */
export interface FakeRequests {
  transfer: TransferRequest;
  removeBot: ChatKey;
  readDialogOwner: ChatKey;
  readDialogOwners: readonly ChatKey[];
  sendBotMessage: ChatKey & { readonly text: string };
  handToQueue: ChatKey;
  finishSession: ChatKey;
}

/** What each method answers with on success. */
export interface FakeValues {
  transfer: undefined;
  removeBot: BotRemoval;
  readDialogOwner: DialogOwner;
  /** A grouped read answers one result per chat, never a failure of its own. */
  readDialogOwners: readonly TransportResult<DialogOwner>[];
  sendBotMessage: undefined;
  handToQueue: undefined;
  finishSession: undefined;
}

/** One recorded call. */
export interface FakeCall<M extends FakeMethod = FakeMethod> {
  readonly method: M;
  /** The argument exactly as passed (not copied). */
  readonly request: FakeRequests[M];
  /** When it was made, by the transport's clock. */
  readonly at: number;
}

/** What a method returns: a `TransportResult`, or for `readDialogOwners` one per chat. */
export type FakeResult<M extends FakeMethod> = M extends 'readDialogOwners'
  ? FakeValues['readDialogOwners']
  : TransportResult<FakeValues[M]>;

/** A scripted answer: a result, or a function of the request (it may wait, and see the call's signal). */
export type FakeAnswer<M extends FakeMethod> =
  | FakeResult<M>
  | ((request: FakeRequests[M], options: CallOptions | undefined) => FakeResult<M> | Promise<FakeResult<M>>);

/** A `Transport` for tests: records every call and answers as scripted. */
export interface FakeTransport extends Required<Omit<Transport, 'rateLimiter'>> {
  /** Every call so far, oldest first. */
  readonly calls: readonly FakeCall[];
  /** The calls of one method, oldest first. */
  callsOf<M extends FakeMethod>(method: M): FakeCall<M>[];
  /** Queues an answer for the next call of `method`; queued answers are used in order, once each. */
  respondOnce<M extends FakeMethod>(method: M, answer: FakeAnswer<M>): void;
  /** Replaces the default answer of `method` (used when nothing is queued). */
  respondAlways<M extends FakeMethod>(method: M, answer: FakeAnswer<M>): void;
  /** Sets what `readDialogOwner` answers for `key` by default. */
  setDialogOwner(key: ChatKey, ownerId: number): void;
  /** What `readDialogOwner` reports as the bot's membership of the chat (by default it reports nothing). */
  setBotPresent(key: ChatKey, present: boolean): void;
  /** Forgets calls, queued and default answers and dialog owners. */
  reset(): void;
}

/** Options of `createFakeTransport`. */
export interface FakeTransportOptions {
  /**
   * Stamps each recorded call's `at`.
   * @defaultValue `systemClock` (`Date.now`)
   */
  readonly clock?: Clock;
}

/**
 * A failed `TransportResult`, for scripting answers.
 * @defaultValue `retryable`: `false`; `message`: the code
 * @example
 * ```ts
 * transport.respondOnce('transfer', transportFailure('QUERY_LIMIT_EXCEEDED', { retryable: true, kind: 'budget', retryAfterMs: 1_000 }));
 * ```
 */
export function transportFailure(
  code: string,
  options: {
    retryable?: boolean;
    retryAfterMs?: number;
    status?: number;
    message?: string;
    kind?: FailureKind;
    outcomeUnknown?: boolean;
    notSent?: boolean;
  } = {},
): { ok: false; error: TransportFailure } {
  return {
    ok: false,
    error: {
      code,
      retryable: options.retryable ?? false,
      message: options.message ?? code,
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.outcomeUnknown === undefined ? {} : { outcomeUnknown: options.outcomeUnknown }),
      ...(options.notSent === undefined ? {} : { notSent: options.notSent }),
    },
  };
}

/** A successful `TransportResult`, for scripting answers. */
export function transportSuccess<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

type SingleMethod = Exclude<FakeMethod, 'readDialogOwners'>;
type AnyAnswer = FakeAnswer<FakeMethod>;
type AnyResult = TransportResult<FakeValues[SingleMethod]>;

/**
 * Creates a fake transport. By default every call succeeds: `removeBot` answers
 * `{ alreadyGone: false }` and `readDialogOwner` the owner set with `setDialogOwner` (else `0`).
 * `readDialogOwners` is recorded as one call (its request: the chats) and, unless an answer of its
 * own is scripted, answers each chat as `readDialogOwner` would (queued and default answers of
 * `readDialogOwner` included, without recording them as calls), so that a scripted poll failure
 * holds whether the engine reads that chat alone or in a group.
 * An aborted `signal` answers a failure with code `ABORTED`: before the call, one that did not run;
 * during it, one that may have run (`outcomeUnknown`), as a request in flight would be. It takes
 * no rate-limit grants itself (it has no `rateLimiter`: the engine or `withRateLimit` puts it behind one).
 *
 * @example
 * ```ts
 * import { createFakeTransport, transportFailure } from '@baton/core/testing';
 *
 * const transport = createFakeTransport();
 * transport.respondOnce('transfer', transportFailure('OPERATOR_WRONG'));
 * transport.setDialogOwner({ portal: 'a1b2c3', chatId: 42 }, 7);
 * // … run the engine …
 * expect(transport.callsOf('transfer')).toHaveLength(2);
 * ```
 */
export function createFakeTransport(options: FakeTransportOptions = {}): FakeTransport {
  const clock = options.clock ?? systemClock;
  const calls: FakeCall[] = [];
  const queued = new Map<FakeMethod, AnyAnswer[]>();
  const defaults = new Map<FakeMethod, AnyAnswer>();
  const owners = new Map<string, number>();
  const membership = new Map<string, boolean>();

  function defaultAnswer(method: SingleMethod, request: FakeRequests[SingleMethod]): AnyResult {
    if (method === 'removeBot') return transportSuccess({ alreadyGone: false });
    if (method === 'readDialogOwner') {
      const ownerId = owners.get(ownerSlot(request)) ?? 0;
      const botPresent = membership.get(ownerSlot(request));
      return transportSuccess(botPresent === undefined ? { ownerId } : { ownerId, botPresent });
    }
    return transportSuccess(undefined);
  }

  /** The scripted (or default) answer of a call, not recorded. */
  function answerOf<M extends SingleMethod>(
    method: M,
    request: FakeRequests[M],
    callOptions: CallOptions | undefined,
  ): Promise<TransportResult<FakeValues[M]>> {
    const answer = queued.get(method)?.shift() ?? defaults.get(method);
    if (answer === undefined)
      return Promise.resolve(defaultAnswer(method, request) as TransportResult<FakeValues[M]>);
    if (typeof answer !== 'function') return Promise.resolve(answer as TransportResult<FakeValues[M]>);
    return Promise.resolve(answer(request as never, callOptions)) as Promise<TransportResult<FakeValues[M]>>;
  }

  async function call<M extends SingleMethod>(
    method: M,
    request: FakeRequests[M],
    callOptions: CallOptions | undefined,
  ): Promise<TransportResult<FakeValues[M]>> {
    calls.push({ method, request, at: clock.now() } as FakeCall);
    const signal = callOptions?.signal;
    if (signal?.aborted) return aborted();
    const pending = answerOf(method, request, callOptions);
    return signal === undefined ? pending : raceAbort(pending, signal, () => aborted(true));
  }

  async function readMany(
    chats: readonly ChatKey[],
    callOptions: CallOptions | undefined,
  ): Promise<readonly TransportResult<DialogOwner>[]> {
    calls.push({ method: 'readDialogOwners', request: chats, at: clock.now() } as FakeCall);
    const signal = callOptions?.signal;
    if (signal?.aborted) return chats.map(() => aborted());
    const answer = queued.get('readDialogOwners')?.shift() ?? defaults.get('readDialogOwners');
    const pending: Promise<readonly TransportResult<DialogOwner>[]> =
      answer === undefined
        ? Promise.all(chats.map((chat) => answerOf('readDialogOwner', chat, callOptions)))
        : Promise.resolve(
            (typeof answer === 'function' ? answer(chats as never, callOptions) : answer) as
              | FakeValues['readDialogOwners']
              | Promise<FakeValues['readDialogOwners']>,
          );
    return signal === undefined ? pending : raceAbort(pending, signal, () => chats.map(() => aborted(true)));
  }

  return {
    get calls() {
      return calls;
    },
    callsOf<M extends FakeMethod>(method: M) {
      return calls.filter((recorded): recorded is FakeCall<M> => recorded.method === method);
    },
    respondOnce(method, answer) {
      const list = queued.get(method) ?? [];
      list.push(answer as AnyAnswer);
      queued.set(method, list);
    },
    respondAlways(method, answer) {
      defaults.set(method, answer as AnyAnswer);
    },
    setDialogOwner(key, ownerId) {
      owners.set(ownerSlot(key), ownerId);
    },
    setBotPresent(key, present) {
      membership.set(ownerSlot(key), present);
    },
    reset() {
      calls.length = 0;
      queued.clear();
      defaults.clear();
      owners.clear();
      membership.clear();
    },
    transfer: (request, callOptions) => call('transfer', request, callOptions),
    removeBot: (chat, callOptions) => call('removeBot', chat, callOptions),
    readDialogOwner: (chat, callOptions) => call('readDialogOwner', chat, callOptions),
    readDialogOwners: (chats, callOptions) => readMany(chats, callOptions),
    sendBotMessage: (chat, callOptions) => call('sendBotMessage', chat, callOptions),
    handToQueue: (chat, callOptions) => call('handToQueue', chat, callOptions),
    finishSession: (chat, callOptions) => call('finishSession', chat, callOptions),
    async close() {},
  };
}

function ownerSlot(key: ChatKey): string {
  return JSON.stringify([key.portal, key.chatId]);
}

function aborted(inFlight = false): { ok: false; error: TransportFailure } {
  return transportFailure('ABORTED', {
    retryable: false,
    message: inFlight ? 'The call was aborted in flight' : 'The call was aborted',
    ...(inFlight ? { outcomeUnknown: true } : { notSent: true }),
  });
}

/** Answers `ABORTED` as soon as the signal fires, even if the scripted answer is still pending. */
function raceAbort<T>(pending: Promise<T>, signal: AbortSignal, onAborted: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(onAborted());
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
