/** Options of the background loop. */
export interface WorkerLoopOptions {
  /** Pause between rounds that found nothing to do. */
  readonly intervalMs: number;
  /** One round of work; returns how many items it handled (0 = idle). */
  readonly round: () => Promise<number>;
  readonly reportError: (error: unknown) => void;
}

/** A loop that runs rounds back to back while there is work, and naps (until woken) when idle. */
export interface WorkerLoop {
  start(): void;
  /** Ends the loop after the current round. */
  stop(): Promise<void>;
  /** Cuts the current nap short: new work was just committed. */
  wake(): void;
  /** Wakes the loop in `ms` (at once when `ms` <= 0), unless an earlier wake-up is already set. */
  wakeIn(ms: number): void;
}

export function createWorkerLoop(options: WorkerLoopOptions): WorkerLoop {
  let running = false;
  let finished: Promise<void> = Promise.resolve();
  let wakeUp: (() => void) | undefined;
  let woken = false;
  let alarm: { at: number; timer: ReturnType<typeof setTimeout> } | undefined;

  function wake(): void {
    if (wakeUp) wakeUp();
    else woken = true;
  }

  function nap(): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, options.intervalMs);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      let handled = 0;
      try {
        handled = await options.round();
      } catch (error) {
        options.reportError(error);
      }
      if (running && handled === 0) await nap();
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      finished = run();
    },
    async stop() {
      running = false;
      if (alarm) clearTimeout(alarm.timer);
      alarm = undefined;
      wakeUp?.();
      await finished;
    },
    wake,
    wakeIn(ms) {
      if (!running) return;
      if (ms <= 0) {
        wake();
        return;
      }
      const at = Date.now() + ms;
      if (alarm && alarm.at <= at) return;
      if (alarm) clearTimeout(alarm.timer);
      alarm = {
        at,
        timer: setTimeout(() => {
          alarm = undefined;
          wake();
        }, ms),
      };
    },
  };
}
