import { EventEmitter } from 'eventemitter3';
import { describeError, errorCode, type Logger, safeLog } from '../contracts/logger.js';
import { publish } from '../diagnostics/channels.js';
import type { EngineErrorContext, EngineEvents } from './engine-events.js';

type EventName = keyof EngineEvents;
type Listener = (...args: never[]) => unknown;

/** The engine's emitter and the two ways the engine speaks through it. */
export interface EngineListeners {
  readonly emitter: EventEmitter<EngineEvents>;
  /** Calls every listener of `name`; one that throws, or whose promise rejects, is reported as `error`. */
  emit<E extends EventName>(name: E, ...args: Parameters<EngineEvents[E]>): void;
  /**
   * Tells the `error` listeners and the logger. With neither, the error is printed to stderr once
   * per stage and code, so that a failure is never silent; an `error` listener that throws is ignored.
   */
  reportError(error: unknown, context: EngineErrorContext): void;
}

/** Where an error goes when nobody listens: `console.error`, unless a test swaps it. */
export type ErrorFallback = (line: string, error: unknown) => void;

const printToStderr: ErrorFallback = (line, error) => console.error(line, error);

/**
 * Keeps user listeners away from the engine: each is called on its own, so that one that throws
 * never stops the others or the engine. `once` listeners are removed before they are called, and
 * `off` removes what `on` and `once` added, as with any `EventEmitter`.
 */
export function createEngineListeners(
  options: { readonly logger?: Logger | undefined; readonly fallback?: ErrorFallback } = {},
): EngineListeners {
  const { logger, fallback = printToStderr } = options;
  const surfaced = new Set<string>();
  const emitter = new EventEmitter<EngineEvents>();
  // The engine calls listeners one by one (not through `emit`), so it keeps `once` itself.
  const onceOnly = new Map<EventName, Set<Listener>>();
  const on = emitter.on.bind(emitter);
  const removeListener = emitter.removeListener.bind(emitter);
  const removeAllListeners = emitter.removeAllListeners.bind(emitter);

  const once: typeof emitter.once = (name, listener, context) => {
    on(name, listener, context);
    const set = onceOnly.get(name) ?? new Set<Listener>();
    set.add(listener as Listener);
    onceOnly.set(name, set);
    return emitter;
  };
  const off: typeof emitter.off = (name, listener, context, onlyOnce) => {
    if (listener === undefined) onceOnly.delete(name);
    else onceOnly.get(name)?.delete(listener as Listener);
    removeListener(name, listener, context, onlyOnce);
    return emitter;
  };
  Object.assign(emitter, {
    once,
    off,
    removeListener: off,
    removeAllListeners: (name?: EventName) => {
      if (name === undefined) onceOnly.clear();
      else onceOnly.delete(name);
      removeAllListeners(name);
      return emitter;
    },
  });

  function reportError(error: unknown, context: EngineErrorContext): void {
    const code = errorCode(error) ?? (error instanceof Error ? error.name : 'UNKNOWN');
    publish('error', () => ({ error, stage: context.stage, ...(context.key ? { key: context.key } : {}) }));
    safeLog(
      logger,
      'error',
      {
        err: error,
        stage: context.stage,
        code,
        ...(context.key ? { portal: context.key.portal, chatId: context.key.chatId } : {}),
      },
      `baton: ${context.stage} failed: ${describeError(error)}`,
    );
    if (emitter.listenerCount('error') === 0) {
      if (logger) return;
      // Nobody listens: say it once per kind of failure rather than never (or on every retry).
      const kind = `${context.stage}:${code}`;
      if (surfaced.has(kind)) return;
      surfaced.add(kind);
      try {
        fallback(
          `[baton] ${context.stage} failed (${code}): ${describeError(error)}. This is printed once per kind of ` +
            "failure; give the engine a `logger` or listen with engine.on('error', …) to see every one.",
          error,
        );
      } catch {
        // Nowhere left to report to.
      }
      return;
    }
    for (const listener of takeListeners('error')) {
      try {
        (listener as (...a: unknown[]) => unknown)(error, context);
      } catch {
        // An error listener that throws has nobody left to tell.
      }
    }
  }

  /** The listeners of one emission, with `once` listeners already removed. */
  function takeListeners(name: EventName): Listener[] {
    const listeners = emitter.listeners(name) as Listener[];
    const onceSet = onceOnly.get(name);
    if (onceSet) {
      for (const listener of listeners) {
        if (onceSet.has(listener)) off(name, listener as never);
      }
    }
    return listeners;
  }

  function emit<E extends EventName>(name: E, ...args: Parameters<EngineEvents[E]>): void {
    for (const listener of takeListeners(name)) {
      try {
        const returned: unknown = (listener as (...a: unknown[]) => unknown)(...args);
        if (returned instanceof Promise)
          returned.catch((error: unknown) => reportError(error, { stage: 'listener' }));
      } catch (error) {
        reportError(error, { stage: 'listener' });
      }
    }
  }

  return { emitter, emit, reportError };
}
