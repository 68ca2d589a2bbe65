import { channel, tracingChannel } from 'node:diagnostics_channel';
import type { ChatKey } from '../chat-key.js';

/**
 * The `node:diagnostics_channel` channels Baton's packages publish on. Publishing costs nothing
 * while nobody subscribes; `@baton/otel` turns them into spans and metrics, and anyone may
 * subscribe with `diagnostics_channel.subscribe(name, listener)` (plain channels) or
 * `diagnostics_channel.tracingChannel(name).subscribe(handlers)` (tracing channels).
 */
export const batonChannels = {
  /** Tracing channel around one event's dispatch (caller's or engine's): `DispatchMessage`. */
  dispatch: 'baton:dispatch',
  /** Tracing channel around one `store.commit`: `CommitMessage`. */
  commit: 'baton:commit',
  /** A commit held and its listeners are about to hear of it: `CommittedMessage`. */
  committed: 'baton:committed',
  /** Outbox entries claimed by this worker: `ClaimMessage`. */
  claim: 'baton:outbox.claim',
  /** Tracing channel around one platform call the outbox makes: `EffectMessage`. */
  effect: 'baton:effect',
  /** Due timers claimed by this worker: `TimersMessage`. */
  timers: 'baton:timers.claim',
  /** A request waited for rate budget (or gave up waiting): `RateLimitWaitMessage`. */
  rateLimitWait: 'baton:rate-limit.wait',
  /** Tracing channel around one HTTP request to the platform: `HttpRequestMessage`. */
  httpRequest: 'baton:http.request',
  /** Background work failed: `ErrorMessage`. */
  error: 'baton:error',
} as const;

/**
 * The event being dispatched; `outcome` is set when it resolves, `error` when it rejects (Node
 * also sets `result`, the raw return value, on every tracing channel's message).
 */
export interface DispatchMessage {
  readonly event: {
    readonly type: string;
    readonly id: string;
    readonly portal: string;
    readonly chatId: number;
  };
  outcome?: { readonly status: string; readonly state: string; readonly version: number };
  error?: unknown;
}

/** One commit; `outcome` is the store's answer (`committed`, `conflict`, `duplicate`). */
export interface CommitMessage {
  readonly key: ChatKey;
  readonly eventId: string;
  readonly state: string;
  readonly expectedVersion: number;
  outcome?: { readonly status: string };
  error?: unknown;
}

/** A failure recorded on the chat by this commit (the new `lastError`). */
export interface CommittedFailure {
  readonly code: string;
  readonly message?: string;
}

/** A commit that held, with what it changed. */
export interface CommittedMessage {
  readonly key: ChatKey;
  readonly eventType: string;
  readonly eventId: string;
  readonly from: string | null;
  readonly to: string;
  readonly version: number;
  /** The notices of the transition (`transfer.requested`, `handoff.failed`, …) with their fields. */
  readonly notices: readonly ({ readonly type: string } & Record<string, unknown>)[];
  /** The failure this commit recorded, when it recorded one. */
  readonly failure?: CommittedFailure;
  /** Engine clock, ms since the epoch. */
  readonly at: number;
}

/** Outbox entries claimed in one round. */
export interface ClaimMessage {
  readonly effects: readonly {
    readonly key: ChatKey;
    readonly id: string;
    readonly kind: string;
    readonly attempt: number;
  }[];
}

/** One platform call; `outcome` tells whether it succeeded and the failure's code. */
export interface EffectMessage {
  readonly key: ChatKey;
  /**
   * The transport method: `transfer`, `removeBot`, `readDialogOwner`, `sendBotMessage`, … For
   * `readDialogOwners` (a grouped read), `key` is its first chat and `outcome` the first failure.
   */
  readonly kind: string;
  /** For `readDialogOwners`: every chat it read. */
  readonly chats?: readonly ChatKey[];
  outcome?: { readonly ok: boolean; readonly code?: string };
  error?: unknown;
}

/** Due timers claimed in one round, with how late each was claimed. */
export interface TimersMessage {
  readonly timers: readonly {
    readonly key: ChatKey;
    readonly id: string;
    /** ms between the timer's due time and its claim (store clock vs engine clock). */
    readonly latenessMs: number;
  }[];
}

/** A wait for rate budget: `granted`, or given up (`budget`, `aborted`). */
export interface RateLimitWaitMessage {
  readonly portal: string;
  readonly waitedMs: number;
  readonly outcome: 'granted' | 'budget' | 'aborted';
}

/** One HTTP request to a platform REST method; `status` and `code` set when it ends. */
export interface HttpRequestMessage {
  readonly portal: string;
  /** The REST method, e.g. `imopenlines.bot.session.transfer`. */
  readonly method: string;
  status?: number;
  /** The failure's code, when the request failed. */
  code?: string;
  error?: unknown;
}

/** Background work failed. */
export interface ErrorMessage {
  readonly error: unknown;
  readonly stage: string;
  readonly key?: ChatKey;
}

type TracingName = 'dispatch' | 'commit' | 'effect' | 'httpRequest';
type PlainName = Exclude<keyof typeof batonChannels, TracingName>;

const tracing = {
  dispatch: tracingChannel<DispatchMessage, DispatchMessage>(batonChannels.dispatch),
  commit: tracingChannel<CommitMessage, CommitMessage>(batonChannels.commit),
  effect: tracingChannel<EffectMessage, EffectMessage>(batonChannels.effect),
  httpRequest: tracingChannel<HttpRequestMessage, HttpRequestMessage>(batonChannels.httpRequest),
};

interface PlainMessages {
  committed: CommittedMessage;
  claim: ClaimMessage;
  timers: TimersMessage;
  rateLimitWait: RateLimitWaitMessage;
  error: ErrorMessage;
}

const plain = {
  committed: channel(batonChannels.committed),
  claim: channel(batonChannels.claim),
  timers: channel(batonChannels.timers),
  rateLimitWait: channel(batonChannels.rateLimitWait),
  error: channel(batonChannels.error),
} satisfies Record<PlainName, unknown>;

/** Whether anyone listens on a plain channel (so that building the message can be skipped). */
export function isObserved(name: PlainName): boolean {
  return plain[name].hasSubscribers;
}

/** Publishes one message on a plain channel, building it only when someone listens. */
export function publish<N extends PlainName>(name: N, message: () => PlainMessages[N]): void {
  if (plain[name].hasSubscribers) plain[name].publish(message());
}

/**
 * Runs `work` inside a tracing channel's `start`/`end`/`asyncStart`/`asyncEnd`/`error` events,
 * with `message` as their context; `finish` copies the outcome into it. Just `work()` when
 * nobody listens.
 */
export function traced<N extends TracingName, T>(
  name: N,
  message: Parameters<(typeof tracing)[N]['tracePromise']>[1],
  work: () => Promise<T>,
  finish?: (result: T, context: NonNullable<typeof message>) => void,
): Promise<T> {
  const channelOf = tracing[name] as ReturnType<typeof tracingChannel<object, object>>;
  if (!channelOf.start.hasSubscribers && !channelOf.asyncEnd.hasSubscribers) return work();
  const context = message as object;
  return channelOf.tracePromise(async () => {
    const result = await work();
    finish?.(result, context as NonNullable<typeof message>);
    return result;
  }, context);
}
