/**
 * The delay before retry number `retry` (1-based): `baseMs`, doubling with every retry, capped
 * at `maxMs`. The one backoff of Baton's packages (the lifecycle's retries, the inbound
 * handler's retried dispatch).
 */
export function backoffDelayMs(baseMs: number, maxMs: number, retry: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, retry - 1), 30));
}
