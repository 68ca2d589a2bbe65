/**
 * Shared counters that routing strategies use, so that every worker rotates through one
 * round-robin order and sees one set of busy counts. All operations are atomic.
 */
export interface RoutingCounters {
  /** Returns the next position (0, 1, 2, …) of the named rotation for `portal`, and advances it. */
  nextInRotation(portal: string, rotation: string): Promise<number>;
  /** Adds `delta` to an operator's busy count (never below 0) and returns the new count. */
  adjustBusy(portal: string, operatorId: number, delta: number): Promise<number>;
  /** Reads busy counts; operators never counted read as 0. */
  readBusy(portal: string, operatorIds: readonly number[]): Promise<Map<number, number>>;
}
