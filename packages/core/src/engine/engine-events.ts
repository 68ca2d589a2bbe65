import type { ChatKey } from '../chat-key.js';
import type { LifecycleEvent } from '../events.js';
import type { ChatState } from '../machine/context.js';
import type { Notice } from '../machine/instructions.js';
import type { ChatResetPayload } from './reset-chat.js';
import type { TimerParkedPayload } from './unreadable-timers.js';

/** A chat moved from one state to another (or stayed, when `from === to`). */
export interface TransitionPayload {
  readonly key: ChatKey;
  /** `null` for a chat's first event. */
  readonly from: ChatState | null;
  readonly to: ChatState;
  readonly eventType: LifecycleEvent['type'];
  readonly eventId: string;
  readonly version: number;
  /** When the commit held (engine clock, ms since the epoch). */
  readonly at: number;
}

/** A notice of the lifecycle, with the chat it concerns. */
export type NoticePayload<T extends Notice['type']> = Extract<Notice, { type: T }> & {
  readonly key: ChatKey;
  /** When the commit that caused it held (engine clock, ms since the epoch). */
  readonly at: number;
};

/** A durable timer came due and was fed to its chat; `stale` when the chat had moved on. */
export interface TimerFiredPayload {
  readonly key: ChatKey;
  readonly timerId: string;
  readonly stale: boolean;
  /** When the timer's event was committed (engine clock, ms since the epoch). */
  readonly at: number;
}

/** A chat's stored snapshot could not be read back; the chat was left untouched. */
export interface ChatUnreadablePayload {
  readonly key: ChatKey;
  /** `CORRUPT_SNAPSHOT` (only `resetChat` recovers it) or `SNAPSHOT_FROM_NEWER_VERSION` (a newer worker reads it). */
  readonly code: 'CORRUPT_SNAPSHOT' | 'SNAPSHOT_FROM_NEWER_VERSION';
  readonly message: string;
}

/** Where background work failed; the engine keeps running. */
export interface EngineErrorContext {
  /** `store`: the store reported a failure of its own (e.g. a lost Redis connection); `availability`: a working-hours or presence read failed. */
  readonly stage: 'outbox' | 'timers' | 'counters' | 'listener' | 'transport' | 'store' | 'availability';
  readonly key?: ChatKey;
}

/**
 * The engine's typed events (`engine.on(name, listener)`). Listeners run after the commit that
 * caused them holds; a listener that throws is reported as `error` and never breaks the engine.
 */
export interface EngineEvents {
  transition: (payload: TransitionPayload) => void;
  'transfer.requested': (payload: NoticePayload<'transfer.requested'>) => void;
  'transfer.succeeded': (payload: NoticePayload<'transfer.succeeded'>) => void;
  'transfer.failed': (payload: NoticePayload<'transfer.failed'>) => void;
  'operator.answered': (payload: NoticePayload<'operator.answered'>) => void;
  'bot.left': (payload: NoticePayload<'bot.left'>) => void;
  'bot.removalFailed': (payload: NoticePayload<'bot.removalFailed'>) => void;
  'handoff.failed': (payload: NoticePayload<'handoff.failed'>) => void;
  /** A plan step was skipped without a call: out of its line's hours, or its operator away. */
  'step.skipped': (payload: NoticePayload<'step.skipped'>) => void;
  /** A new platform session began (the bot joined again, or an event carried a newer session id): the chat is the bot's again. */
  'session.started': (payload: NoticePayload<'session.started'>) => void;
  'timer.fired': (payload: TimerFiredPayload) => void;
  /** An event or timer met a chat whose snapshot cannot be read back; nothing was changed. */
  'chat.unreadable': (payload: ChatUnreadablePayload) => void;
  /** `resetChat` put a chat back in `bot`. */
  'chat.reset': (payload: ChatResetPayload) => void;
  /** A corrupt chat's timer was given up after its attempts (see `unreadableTimers`). */
  'timer.parked': (payload: TimerParkedPayload) => void;
  error: (error: unknown, context: EngineErrorContext) => void;
}

/** Every event name of `EngineEvents`, for code that subscribes to or forwards all of them. */
export const engineEventNames = [
  'transition',
  'transfer.requested',
  'transfer.succeeded',
  'transfer.failed',
  'operator.answered',
  'bot.left',
  'bot.removalFailed',
  'handoff.failed',
  'step.skipped',
  'session.started',
  'timer.fired',
  'chat.unreadable',
  'chat.reset',
  'timer.parked',
  'error',
] as const satisfies ReadonlyArray<keyof EngineEvents>;
