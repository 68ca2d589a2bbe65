import type { ClaimedEffect } from '../contracts/effects.js';
import type { RateLimiter } from '../contracts/rate-limiter.js';
import type { Store } from '../contracts/store.js';
import type { Transport } from '../contracts/transport.js';
import type { BatonEventInput } from '../events.js';
import { callTransport, type EffectOutcome } from './effect-call.js';
import type { EngineErrorContext } from './engine-events.js';

/** The part of an entry's lease a platform call may take before it is aborted. */
const callShareOfLease = 0.8;

export interface OutboxRunnerDeps {
  readonly store: Store;
  readonly transport: Transport;
  /** `undefined` when the transport limits itself. */
  readonly rateLimiter: RateLimiter | undefined;
  readonly batchSize: number;
  readonly leaseMs: number;
  readonly signal: AbortSignal;
  readonly feedBack: (event: BatonEventInput) => Promise<unknown>;
  readonly reportError: (error: unknown, context: EngineErrorContext) => void;
}

/**
 * Runs one round of the outbox: claim entries, make each platform call, feed its outcome back to
 * the chat as an `effect.result` event, then complete the entry.
 *
 * Delivery policy: an entry is completed only after its outcome is committed, so a worker that
 * dies mid-call leaves it to be reclaimed when the lease expires, and the call is made again
 * (at least once). The repeated outcome is deduplicated by its event id. Transfers and removals
 * are safe to repeat (a second removal reports "already gone"); a bot message may be sent twice.
 * A call still running at 80% of its lease is aborted and reported as a retryable `CALL_TIMEOUT`,
 * so that no call outlives its lease in normal operation.
 *
 * @returns how many entries were claimed.
 */
export async function runOutboxRound(deps: OutboxRunnerDeps): Promise<number> {
  const claimed = await deps.store.claimEffects({ limit: deps.batchSize, leaseMs: deps.leaseMs });
  await Promise.all(claimed.map((effect) => runEffect(deps, effect)));
  return claimed.length;
}

async function runEffect(deps: OutboxRunnerDeps, effect: ClaimedEffect): Promise<void> {
  try {
    const deadline = Date.now() + deps.leaseMs / 2;
    if (
      deps.rateLimiter &&
      !(await waitForGrant(deps.rateLimiter, effect.key.portal, deadline, deps.signal))
    ) {
      return; // no budget within the lease: leave the entry to be reclaimed later
    }
    // A call must not outlive its lease: past it, another worker may already be making it again.
    const leaseSignal = AbortSignal.timeout(Math.max(1, Math.floor(deps.leaseMs * callShareOfLease)));
    let outcome: EffectOutcome;
    try {
      outcome = await callTransport(deps.transport, effect, AbortSignal.any([deps.signal, leaseSignal]));
      if (!outcome.ok && leaseSignal.aborted && !deps.signal.aborted) {
        outcome = { ok: false, code: 'CALL_TIMEOUT', retryable: true };
      }
    } catch (error) {
      // A transport must report failures as data; one that throws is a bug worth surfacing, and
      // the call is retried like any transient failure.
      deps.reportError(error, { stage: 'transport', key: effect.key });
      outcome = { ok: false, code: 'TRANSPORT_THREW', retryable: true };
    }
    await deps.feedBack({
      type: 'effect.result',
      id: `result:${effect.id}`,
      portal: effect.key.portal,
      chatId: effect.key.chatId,
      effectId: effect.id,
      outcome,
    });
    await deps.store.completeEffect(effect);
  } catch (error) {
    deps.reportError(error, { stage: 'outbox', key: effect.key });
  }
}

async function waitForGrant(
  limiter: RateLimiter,
  portal: string,
  deadline: number,
  signal: AbortSignal,
): Promise<boolean> {
  for (;;) {
    const decision = await limiter.acquire(portal);
    if (decision.granted) return true;
    const wait = Math.max(1, decision.retryAfterMs);
    if (signal.aborted || Date.now() + wait > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
