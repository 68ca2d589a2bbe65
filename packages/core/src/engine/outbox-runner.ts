import type { ClaimedEffect } from '../contracts/effects.js';
import { createInFlight } from './in-flight.js';
import { type ClaimedEntry, type OutboxRunnerDeps, runEffect } from './outbox-entry.js';
import { createPollGatherer, isGroupablePoll, pollGroups, runPollGroup } from './poll-group.js';

export type { OutboxRunnerDeps } from './outbox-entry.js';

/**
 * Runs one round of the outbox: claim entries, make each platform call, feed its outcome back to
 * the chat as an `effect.result` event, then complete the entry.
 *
 * Delivery policy: an entry is completed only after its outcome is committed, so a worker that
 * dies mid-call leaves it to be reclaimed when the lease expires, and the call is made again
 * (at least once). The repeated outcome is deduplicated by its event id. A removal is safe to
 * repeat (a second one reports "already gone"); a bot message may be sent twice. A transfer is
 * not repeated blindly: a reclaimed transfer entry reports `LEASE_EXPIRED`, an outcome the chat
 * settles by reading the dialog before it calls again.
 * An entry whose chat no longer waits for it (the chat moved on: answered, timed out, finished)
 * is completed without a call. A call must end within 80% of the lease counted from the claim:
 * it is aborted then and reported as a retryable `CALL_TIMEOUT`, so that in normal operation no
 * call outlives its lease. An entry claimed ten times without an outcome is given up
 * (`EFFECT_ABANDONED`, not retryable) and reported. The confirmation polls of one portal claimed
 * in the round are read together (`Transport.readDialogOwners`, 50 chats a call), each settled
 * with its own outcome.
 *
 * @returns how many entries were claimed.
 */
export async function runOutboxRound(deps: OutboxRunnerDeps): Promise<number> {
  const claimedAt = Date.now();
  const claimed = await deps.store.claimEffects({ limit: deps.batchSize, leaseMs: deps.leaseMs });
  const { polls, others } = splitPolls(deps, claimed, claimedAt);
  await Promise.all([
    ...others.map((effect) => runEffect(deps, effect, claimedAt)),
    ...pollGroups(polls).map((group) => runPollGroup(deps, group)),
  ]);
  return claimed.length;
}

/** The polls a grouped read can serve (when the transport has one), apart from the other entries. */
function splitPolls(
  deps: OutboxRunnerDeps,
  claimed: readonly ClaimedEffect[],
  claimedAt: number,
): { polls: ClaimedEntry[]; others: ClaimedEffect[] } {
  if (deps.transport.readDialogOwners === undefined) return { polls: [], others: [...claimed] };
  const polls: ClaimedEntry[] = [];
  const others: ClaimedEffect[] = [];
  for (const effect of claimed) {
    if (isGroupablePoll(effect)) polls.push({ effect, claimedAt });
    else others.push(effect);
  }
  return { polls, others };
}

/** The background outbox: claims keep coming while earlier calls wait for their portal's budget. */
export interface OutboxRunner {
  /** Claims what there is room for and starts each call without waiting for it; returns how many. */
  round(): Promise<number>;
}

/**
 * A pipelined outbox. A round does not wait for the calls it starts: each runs on its own, in its
 * portal's lane, so that one portal's backlog (calls waiting for that portal's rate budget) never
 * holds back another portal's calls. At most `maxInFlight` entries are held at once (when full, a
 * round waits for one to finish), and at most `perPortal` calls of one portal run at once in this
 * worker; the others wait in their lane's order, within their lease. Confirmation polls of one
 * portal are gathered (see `createPollGatherer`) and read together, one call per group.
 */
export function createOutboxRunner(
  deps: OutboxRunnerDeps & {
    readonly maxInFlight: number;
    readonly perPortal: number;
    /**
     * How long a claimed poll waits for more polls of its portal to share its request (a group
     * runs at once when full).
     */
    readonly pollGatherMs: number;
    readonly track: (work: Promise<void>) => Promise<void>;
  },
): OutboxRunner {
  const inFlight = createInFlight(deps.track);
  const lanes = new Map<string, { active: number; waiting: Array<() => void> }>();

  async function inLane(portal: string, work: () => Promise<void>): Promise<void> {
    let lane = lanes.get(portal);
    if (!lane) {
      lane = { active: 0, waiting: [] };
      lanes.set(portal, lane);
    }
    if (lane.active >= deps.perPortal) await new Promise<void>((resolve) => lane?.waiting.push(resolve));
    lane.active += 1;
    try {
      await work();
    } finally {
      lane.active -= 1;
      const next = lane.waiting.shift();
      if (next) next();
      else if (lane.active === 0) lanes.delete(portal);
    }
  }

  const gatherer = createPollGatherer({
    windowMs: deps.pollGatherMs,
    stopping: deps.stopping,
    run: (portal, group) => inLane(portal, () => runPollGroup(deps, group)),
  });

  return {
    async round() {
      if (inFlight.size >= deps.maxInFlight) {
        await inFlight.oneFinished();
        return 1;
      }
      const claimedAt = Date.now();
      const claimed = await deps.store.claimEffects({
        limit: Math.min(deps.batchSize, deps.maxInFlight - inFlight.size),
        leaseMs: deps.leaseMs,
      });
      const { polls, others } = splitPolls(deps, claimed, claimedAt);
      const started = [
        ...others.map((effect) => inLane(effect.key.portal, () => runEffect(deps, effect, claimedAt))),
        ...polls.map((entry) => gatherer.add(entry)),
      ];
      for (const running of started) inFlight.add(running);
      return claimed.length;
    },
  };
}
