/** The platform's per-method limit on summed execution time in a sliding window. */
export interface OperatingLimitOptions {
  /**
   * Length of the sliding window.
   * @defaultValue 600_000 (ten minutes, as on the platform)
   */
  readonly windowMs?: number;
  /**
   * Execution time a method may use in one window; beyond it the method answers
   * `429 OPERATION_TIME_LIMIT` until enough of the window has passed.
   * @defaultValue 480_000 (what the official JS SDK assumes of the platform)
   */
  readonly budgetMs?: number;
  /**
   * Execution time charged per call. Emulated methods take almost no time, so a fixed charge
   * makes the limit reachable in a test; when omitted the measured time (including injected
   * latency) is charged.
   */
  readonly costMs?: number;
}

/** Where one method stands against its operating budget. */
export interface OperatingStatus {
  readonly blocked: boolean;
  readonly usedMs: number;
  /** Epoch milliseconds when the oldest counted call leaves the window. */
  readonly resetAtMs: number;
}

/** Per method (of one portal) execution time over a sliding window. */
export interface OperatingMeter {
  status(method: string, nowMs: number): OperatingStatus;
  charge(method: string, atMs: number, measuredMs: number): void;
}

/** The operating limit with every default filled in. */
export interface ResolvedOperatingLimit {
  readonly windowMs: number;
  readonly budgetMs: number;
  readonly costMs?: number;
}

/** The platform's window and the budget the official JS SDK assumes. */
export const defaultOperatingLimit = { windowMs: 600_000, budgetMs: 480_000 } as const;

export function createOperatingMeter(options: ResolvedOperatingLimit | false): OperatingMeter {
  const calls = new Map<string, Array<{ at: number; cost: number }>>();
  const live = (method: string, nowMs: number, windowMs: number) => {
    const list = (calls.get(method) ?? []).filter((call) => call.at > nowMs - windowMs);
    calls.set(method, list);
    return list;
  };
  return {
    status(method, nowMs) {
      const windowMs = options === false ? defaultOperatingLimit.windowMs : options.windowMs;
      const list = live(method, nowMs, windowMs);
      const usedMs = list.reduce((sum, call) => sum + call.cost, 0);
      const oldest = list[0];
      const resetAtMs = oldest === undefined ? nowMs : oldest.at + windowMs;
      return { blocked: options !== false && usedMs >= options.budgetMs, usedMs, resetAtMs };
    },
    charge(method, atMs, measuredMs) {
      const windowMs = options === false ? defaultOperatingLimit.windowMs : options.windowMs;
      const cost = options !== false && options.costMs !== undefined ? options.costMs : measuredMs;
      live(method, atMs, windowMs).push({ at: atMs, cost });
    },
  };
}
