/**
 * Shared counters that routing strategies use, so that every worker rotates through one
 * round-robin order and sees one set of busy counts. All operations are atomic.
 */
export interface RoutingCounters {
  /** Returns the next position (0, 1, 2, …) of the named rotation for `portal`, and advances it. */
  nextInRotation(portal: string, rotation: string): Promise<number>;
  /**
   * Reads busy counts: how many chats each operator holds or is offered (the chats whose
   * `summary.holder` names them), as the store's commits keep them. Operators never counted read
   * as 0. The counts are the store's: give the engine the counters of the store it commits to.
   */
  readBusy(portal: string, operatorIds: readonly number[]): Promise<Map<number, number>>;
}

/** One busy count that did not match the chats holding the operator, as a repair found it. */
export interface BusyCorrection {
  readonly portal: string;
  readonly operatorId: number;
  /** The count as stored. */
  readonly was: number;
  /** The number of chats whose holder is the operator: what the count now says. */
  readonly now: number;
}

/** What `repairBusyCounts` found and did. */
export interface BusyRepairReport {
  /** Chats read. */
  readonly chats: number;
  /** Counts rewritten (empty when every count matched its chats). */
  readonly corrected: readonly BusyCorrection[];
}
