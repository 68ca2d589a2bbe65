import { type Logger, safeLog } from '../contracts/logger.js';

/** How long committed work may wait for an engine that was never started before it is said. */
export const startWarningDelayMs = 5_000;

/**
 * Warns, through the logger, when work was committed (outbox entries, timers) but the engine was
 * neither started nor drained: nothing would ever make the calls, and a forgotten `start()` is
 * otherwise silent. Said once per engine, after a grace period that lets a script drain.
 */
export function createStartWarning(logger: Logger | undefined, delayMs: number = startWarningDelayMs) {
  let driven = false;
  let timer: NodeJS.Timeout | undefined;
  return {
    /** Work was committed. */
    workWaiting(): void {
      if (driven || timer !== undefined || !logger) return;
      timer = setTimeout(() => {
        if (driven) return;
        safeLog(
          logger,
          'warn',
          { waitedMs: delayMs },
          'baton: work is waiting in the outbox but the engine was never started: call engine.start() ' +
            '(or engine.drain() in a script), or no platform call will be made',
        );
      }, delayMs);
      // The warning never keeps a process alive.
      timer.unref();
    },
    /** `start()`, `drain()` or `stop()` was called: the work will be (or need not be) done. */
    driven(): void {
      driven = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
