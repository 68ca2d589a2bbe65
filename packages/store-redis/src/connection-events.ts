import type { Logger } from '@baton/core';
import { describeError, errorCode, safeLog } from '@baton/core/adapter';
import type { Cluster, Redis } from 'ioredis';

/**
 * Where a connection's failures that no caller sees go: subscribers (the engine) and the logger
 * at `error`; with neither, the first failure of each code is printed to stderr, so that it is
 * never silent.
 */
export interface ProblemChannel {
  /** Subscribes to failures; returns an unsubscribe function. */
  onError(listener: (error: unknown) => void): () => void;
  /** Reports one failure, led by `lead` (what failed: the connection's name by default). */
  report(error: unknown, lead?: string): void;
  /** The connection is being closed: what fails from now on (the `QUIT` itself) is nobody's concern. */
  silence(): void;
}

export function createProblemChannel(options: {
  readonly logger?: Logger | undefined;
  readonly what: string;
}): ProblemChannel {
  const { logger, what } = options;
  const listeners = new Set<(error: unknown) => void>();
  const printed = new Set<string>();
  let silent = false;
  return {
    onError(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    report(error, lead = what) {
      if (silent) return;
      const code = errorCode(error) ?? 'REDIS_CONNECTION';
      const message = describeError(error);
      safeLog(logger, 'error', { what, code, err: error }, `baton: ${lead}: ${message}`);
      for (const listener of listeners) {
        try {
          listener(error);
        } catch {
          // A subscriber that throws must not stop the others or the client.
        }
      }
      if (listeners.size === 0 && !logger && !printed.has(code)) {
        printed.add(code);
        console.error(
          `[baton] ${lead} (${code}): ${message}. Printed once; give a \`logger\` or ` +
            'subscribe with store.onError(…) (createEngine does) to hear every failure.',
        );
      }
    },
    silence() {
      silent = true;
      listeners.clear();
    },
  };
}

/**
 * Listens to a client's `error`, `ready` and `reconnecting` events. ioredis emits `error` on
 * every failed reconnect: a dead server would flood the log (and, without a listener, ioredis
 * prints "Unhandled error event" each time). So each outage is reported once per distinct
 * message to `problems`; the reconnect attempts are logged at `debug`, and the recovery at `info`.
 */
export function watchClient(
  client: Redis | Cluster,
  problems: ProblemChannel,
  options: { readonly logger?: Logger | undefined; readonly what: string },
): void {
  const { logger, what } = options;
  let reported: string | undefined;

  const onError = (error: unknown) => {
    const message = describeError(error);
    if (reported === message) {
      safeLog(logger, 'debug', { what, err: error }, `baton: ${what}: ${message} (still failing)`);
      return;
    }
    reported = message;
    problems.report(error, `${what} connection failed`);
  };
  const onReady = () => {
    if (reported !== undefined) safeLog(logger, 'info', { what }, `baton: ${what} connection restored`);
    reported = undefined;
  };
  const onReconnecting = (delayMs: unknown) =>
    safeLog(logger, 'debug', { what, delayMs }, `baton: ${what} reconnecting`);

  client.on('error', onError);
  client.on('ready', onReady);
  client.on('reconnecting', onReconnecting);
}
