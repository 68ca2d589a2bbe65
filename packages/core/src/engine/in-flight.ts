/**
 * The work a pipelined runner has started and not yet seen finish, bounded by its owner: a round
 * adds what it starts and, when there is no room, waits for one piece to finish.
 */
export interface InFlight {
  readonly size: number;
  /** Tracks `work` (through the engine's `track`, so that `stop()` waits for it) until it settles. */
  add(work: Promise<void>): void;
  /** Resolves when one piece of the work in flight has finished. */
  oneFinished(): Promise<void>;
}

export function createInFlight(track: (work: Promise<void>) => Promise<void>): InFlight {
  const running = new Set<Promise<void>>();
  return {
    get size() {
      return running.size;
    },
    add(work) {
      const tracked = track(work);
      running.add(tracked);
      void tracked.finally(() => running.delete(tracked));
    },
    async oneFinished() {
      await Promise.race(running);
    },
  };
}
