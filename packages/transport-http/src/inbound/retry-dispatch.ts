import { backoffDelayMs, sleep } from '@baton/core/adapter';
import type { AcceptEvent } from './handler.js';

/** How the inbound handler keeps trying an event whose dispatch failed for a passing reason. */
export interface AcceptRetryOptions {
  /**
   * How long one event is tried, counted from its first attempt. Keep it well inside the time the
   * platform waits for an answer (the emulator's default is 10 s): after it the event is answered
   * `503 NOT_ACCEPTED`, and a webhook event is then lost, since the platform never redelivers.
   * @defaultValue 5_000
   */
  readonly maxWaitMs?: number;
  /** First pause between attempts; doubled each time up to `maxDelayMs`. @defaultValue 50 */
  readonly baseDelayMs?: number;
  /** @defaultValue 500 */
  readonly maxDelayMs?: number;
  /** Which failures are worth another attempt. @defaultValue `isTransientDispatchFailure` */
  readonly isRetryable?: (error: unknown) => boolean;
}

/** Failures that say "not now": the store is unreachable or timed out, or the chat kept changing. */
const transientCodes: ReadonlySet<string> = new Set([
  'STORE_FAILURE',
  'CONFLICT_RETRIES_EXHAUSTED',
  'REDIS_FAILURE',
]);

/**
 * The default of `isRetryable`: a failure whose `code` is one of the store's or the engine's
 * passing ones (`STORE_FAILURE`, `CONFLICT_RETRIES_EXHAUSTED`, `REDIS_FAILURE`) or that says
 * `retryable: true`. Invalid input, a missing route or a stopped engine are never retried, nor is
 * an error that says nothing about itself.
 */
export function isTransientDispatchFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, retryable } = error as { code?: unknown; retryable?: unknown };
  return retryable === true || (typeof code === 'string' && transientCodes.has(code));
}

/**
 * Wraps `accept` so that a dispatch failing for a passing reason (a Redis blip with a
 * `commandTimeout`, a failover) is tried again for up to `maxWaitMs`. Safe because a dispatch is
 * idempotent by event id: an attempt that did commit before its answer was lost makes the next
 * attempt a `duplicate`, which resolves. `false` returns `accept` unchanged.
 */
export function retryingAccept(accept: AcceptEvent, options: AcceptRetryOptions | false = {}): AcceptEvent {
  if (options === false) return accept;
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 500;
  const isRetryable = options.isRetryable ?? isTransientDispatchFailure;
  return async (event) => {
    const deadline = Date.now() + maxWaitMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await accept(event);
      } catch (error) {
        const delay = backoffDelayMs(baseDelayMs, maxDelayMs, attempt + 1);
        if (!isRetryable(error) || Date.now() + delay > deadline) throw error;
        await sleep(delay);
      }
    }
  };
}
