import type { ChatKey } from '../chat-key.js';
import type { ClaimedEffect } from '../contracts/effects.js';
import { describeError } from '../contracts/logger.js';
import type { Store } from '../contracts/store.js';
import type { Transport } from '../contracts/transport.js';
import { isCodedError } from '../errors/coded-error.js';
import type { InternalEvent } from '../events.js';
import { backoffDelayMs } from '../rate-limit/backoff.js';
import { sleep } from '../rate-limit/sleep.js';
import { callTransport, type EffectOutcome, engineFailure, notSentFailure } from './effect-call.js';
import type { EngineErrorContext } from './engine-events.js';

/** The part of an entry's lease (from its claim) by which a platform call must have ended. */
const callShareOfLease = 0.8;
/** A call started with less than this part of the lease left is not started at all. */
const minimumCallShareOfLease = 0.2;
/** Claims after which an entry that never got its outcome committed is given up. */
const maxClaims = 10;
/**
 * How long a worker keeps trying to commit an outcome it knows when the store fails (an outage, a
 * failover). A known outcome beats the `LEASE_EXPIRED` a later claimant would report (both carry
 * the same event id, so the first commit wins): a short outage then costs no dialog read and no
 * repeated transfer.
 */
const knownOutcomeWindowMs = 30_000;

export interface OutboxRunnerDeps {
  readonly store: Store;
  /** The transport behind its rate limiter: each call waits for its grant inside the call. */
  readonly transport: Transport;
  readonly batchSize: number;
  readonly leaseMs: number;
  /** Aborted when the engine stops: no new call starts, calls in flight finish. */
  readonly stopping: AbortSignal;
  /**
   * Whether the chat still waits for this entry's outcome: `stale` when it moved on since the
   * commit, `withdrawn` when it still waits but wants the call not made if it has not started.
   */
  readonly standing: (effect: ClaimedEffect) => Promise<'awaited' | 'withdrawn' | 'stale'>;
  readonly feedBack: (event: InternalEvent) => Promise<unknown>;
  readonly reportError: (error: unknown, context: EngineErrorContext) => void;
}

/** A claimed entry and when its claim was made (its lease counts from then). */
export interface ClaimedEntry {
  readonly effect: ClaimedEffect;
  readonly claimedAt: number;
}

/** Makes one entry's call alone and settles its outcome. */
export async function runEffect(
  deps: OutboxRunnerDeps,
  effect: ClaimedEffect,
  claimedAt: number,
): Promise<void> {
  try {
    const deadline = await readyToCall(deps, effect, claimedAt);
    if (deadline === undefined) return;
    const [outcome] = await callBefore(deps, [effect.key], deadline, async (signal) => [
      await callTransport(deps.transport, effect, signal),
    ]);
    await settle(deps, effect, outcome ?? engineFailure('INVALID_RESPONSE'), claimedAt);
  } catch (error) {
    deps.reportError(error, { stage: 'outbox', key: effect.key });
  }
}

/**
 * Everything before an entry's call: an entry the chat no longer waits for, a withdrawn call, one
 * claimed too often, a transfer whose earlier claim may have made it, one with too little lease
 * left, are dealt with here (the result is then `undefined`). Otherwise the time by which the call
 * must have ended (80% of the lease from the claim).
 */
export async function readyToCall(
  deps: OutboxRunnerDeps,
  effect: ClaimedEffect,
  claimedAt: number,
): Promise<number | undefined> {
  const standing = await standingOrNotStarted(deps, effect, claimedAt);
  if (standing === 'reported') return undefined;
  if (standing === 'stale') {
    await deps.store.completeEffect(effect);
    return undefined;
  }
  if (standing === 'withdrawn') {
    await deps.feedBack(resultEvent(effect, { ok: false, code: 'WITHDRAWN', retryable: false }));
    await deps.store.completeEffect(effect);
    return undefined;
  }
  if (effect.attempt > maxClaims) {
    await abandon(deps, effect);
    return undefined;
  }
  if (effect.call.kind === 'transfer' && effect.attempt > 1) {
    // An earlier claim's worker died or stalled, maybe mid-call: whether the transfer reached the
    // platform is unknown, and repeating a LEAVE=Y transfer that did is refused. The chat reads
    // the dialog first and repeats the call only if the platform shows it was not made.
    // A store that records starts may tell that no earlier claim got as far as calling: then the
    // outcome is "not started" (no dialog read, not charged). This claim does not call either:
    // an earlier claimant may still report the same outcome for this entry (its own "not
    // started"), and a call made now would be lost behind that report and repeated.
    const outcome =
      effect.startedBefore === false ? notSentFailure('NOT_STARTED') : engineFailure('LEASE_EXPIRED');
    await deps.feedBack(resultEvent(effect, outcome));
    await deps.store.completeEffect(effect);
    return undefined;
  }
  const callDeadline = claimedAt + deps.leaseMs * callShareOfLease;
  if (callDeadline - Date.now() < deps.leaseMs * minimumCallShareOfLease || deps.stopping.aborted) {
    // Not started. A transfer says so (left to its lease, the next claimant could only report
    // `LEASE_EXPIRED`, an unknown outcome costing a dialog read); other calls are simply reclaimed.
    if (effect.call.kind === 'transfer') await settle(deps, effect, notSentFailure('NOT_STARTED'), claimedAt);
    return undefined;
  }
  if (effect.call.kind === 'transfer' && (await markStarted(deps, effect, claimedAt)) !== 'started') {
    return undefined;
  }
  return callDeadline;
}

/**
 * Makes a call for `keys` (one entry, or a grouped read of several) that must end by `deadline`:
 * it is aborted then. Returns one outcome per key, as the call gave them.
 */
export async function callBefore(
  deps: OutboxRunnerDeps,
  keys: readonly ChatKey[],
  deadline: number,
  call: (signal: AbortSignal) => Promise<readonly EffectOutcome[]>,
): Promise<EffectOutcome[]> {
  const leaseSignal = AbortSignal.timeout(Math.max(0, deadline - Date.now()));
  let outcomes: readonly EffectOutcome[];
  try {
    outcomes = await call(leaseSignal);
  } catch (error) {
    // A transport must report failures as data; one that throws is a bug worth surfacing, and
    // the call is retried like any transient failure.
    deps.reportError(error, { stage: 'transport', ...(keys[0] === undefined ? {} : { key: keys[0] }) });
    outcomes = keys.map(() => engineFailure('TRANSPORT_THREW', describeError(error)));
  }
  // Aborted at the end of its share of the lease: retryable, and "may have run" unless the
  // transport says it sent nothing (a rate grant still pending, a limiter whose store was down).
  return outcomes.map((outcome) =>
    !outcome.ok && leaseSignal.aborted
      ? outcome.notSent === true
        ? notSentFailure('CALL_TIMEOUT')
        : engineFailure('CALL_TIMEOUT')
      : outcome,
  );
}

/**
 * Whether the chat still waits for the entry. When the store cannot tell (an outage), a transfer
 * reports that it was not started, once the store is back (or leaves it to its lease if not soon).
 */
async function standingOrNotStarted(
  deps: OutboxRunnerDeps,
  effect: ClaimedEffect,
  claimedAt: number,
): Promise<'awaited' | 'withdrawn' | 'stale' | 'reported'> {
  try {
    return await deps.standing(effect);
  } catch (error) {
    if (effect.call.kind !== 'transfer') throw error;
    return reportNotStarted(deps, effect, claimedAt, error);
  }
}

/**
 * Records that this claim is about to make the transfer, so that a later claimant can tell a call
 * that may have run from a claim that never got this far (its reply lost, its worker dead before
 * the call). `lost`: the lease is no longer this worker's, so the call is not made. When the store
 * cannot be reached the transfer is reported not started.
 */
async function markStarted(
  deps: OutboxRunnerDeps,
  effect: ClaimedEffect,
  claimedAt: number,
): Promise<'started' | 'lost' | 'reported'> {
  if (deps.store.startEffect === undefined) return 'started';
  try {
    return (await deps.store.startEffect(effect)) ? 'started' : 'lost';
  } catch (error) {
    return reportNotStarted(deps, effect, claimedAt, error);
  }
}

/** The store failed before a transfer was made: report the failure, then settle it as not started. */
async function reportNotStarted(
  deps: OutboxRunnerDeps,
  effect: ClaimedEffect,
  claimedAt: number,
  error: unknown,
): Promise<'reported'> {
  deps.reportError(error, { stage: 'outbox', key: effect.key });
  await settle(deps, effect, notSentFailure('NOT_STARTED'), claimedAt);
  return 'reported';
}

/**
 * Commits an outcome the worker knows, then completes the entry. Through a store outage the commit
 * is tried again until `knownOutcomeWindowMs` after the claim, or until the engine stops.
 */
export async function settle(
  deps: OutboxRunnerDeps,
  effect: ClaimedEffect,
  outcome: EffectOutcome,
  claimedAt: number,
): Promise<void> {
  const event = resultEvent(effect, outcome);
  const until = claimedAt + knownOutcomeWindowMs;
  for (let retry = 1; ; retry += 1) {
    try {
      await deps.feedBack(event);
      break;
    } catch (error) {
      const delayMs = backoffDelayMs(100, 1_000, retry);
      const final = isCodedError(error, 'BatonError', 'INVALID_INPUT') || Date.now() + delayMs > until;
      if (final || !(await sleep(delayMs, deps.stopping))) throw error;
      deps.reportError(error, { stage: 'outbox', key: effect.key });
    }
  }
  await deps.store.completeEffect(effect);
}

function resultEvent(effect: ClaimedEffect, outcome: EffectOutcome): InternalEvent {
  return {
    type: 'effect.result',
    id: `result:${effect.id}`,
    portal: effect.key.portal,
    chatId: effect.key.chatId,
    effectId: effect.id,
    outcome,
  };
}

/** Tells the chat the call was given up, and removes the entry whatever happens. */
async function abandon(deps: OutboxRunnerDeps, effect: ClaimedEffect): Promise<void> {
  deps.reportError(new Error(`Outbox entry ${effect.id} gave no committed outcome in ${maxClaims} claims`), {
    stage: 'outbox',
    key: effect.key,
  });
  try {
    await deps.feedBack(resultEvent(effect, { ok: false, code: 'EFFECT_ABANDONED', retryable: false }));
  } finally {
    await deps.store.completeEffect(effect);
  }
}
