import type { Logger } from '@baton/core';
import { describeError, errorCode, safeLog } from '@baton/core/adapter';
import type { Cluster, Redis } from 'ioredis';

/** Where a connection's own failures go: subscribers (the engine), the logger, or stderr once. */
export interface ConnectionEvents {
  /** Subscribes to connection failures; returns an unsubscribe function. */
  onError(listener: (error: unknown) => void): () => void;
  /** The connection is being closed: what fails from now on (the `QUIT` itself) is nobody's concern. */
  silence(): void;
}

/**
 * Listens to a client's `error`, `ready` and `reconnecting` events. ioredis emits `error` on
 * every failed reconnect: a dead server would flood the log (and, without a listener, ioredis
 * prints "Unhandled error event" each time). So each outage is reported once per distinct
 * message, to subscribers and to the logger at `error`; the reconnect attempts are logged at
 * `debug`, and the recovery at `info`. With neither a subscriber nor a logger, the first failure
 * of each kind is printed to stderr, so that it is never silent.
 */
export function watchClient(
  client: Redis | Cluster,
  options: { readonly logger?: Logger | undefined; readonly what: string },
): ConnectionEvents {
  const { logger, what } = options;
  const listeners = new Set<(error: unknown) => void>();
  const printed = new Set<string>();
  let reported: string | undefined;
  let silent = false;

  const onError = (error: unknown) => {
    if (silent) return;
    const message = describeError(error);
    if (reported === message) {
      safeLog(logger, 'debug', { what, err: error }, `baton: ${what}: ${message} (still failing)`);
      return;
    }
    reported = message;
    const code = errorCode(error) ?? 'REDIS_CONNECTION';
    safeLog(logger, 'error', { what, code, err: error }, `baton: ${what} connection failed: ${message}`);
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
        `[baton] ${what} connection failed (${code}): ${message}. Printed once; give a \`logger\` or ` +
          'subscribe with store.onError(…) (createEngine does) to hear every outage.',
      );
    }
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
  return {
    onError(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    silence() {
      silent = true;
      listeners.clear();
    },
  };
}
