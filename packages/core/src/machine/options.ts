import { z } from 'zod';

/** How the lifecycle machine retries and polls. All durations in milliseconds. */
export const lifecycleOptionsSchema = z
  .object({
    /** Transfer calls per plan step before the step counts as failed (retryable errors only). */
    maxTransferAttempts: z.number().int().min(1).max(20).default(3),
    /**
     * Retries per plan step for failures of the way to the platform rather than of the target
     * (`QUERY_LIMIT_EXCEEDED`, timeouts, network errors: see `infrastructureFailureCodes`). They do
     * not use up `maxTransferAttempts`, so rate limits alone never skip an operator.
     */
    maxInfrastructureRetries: z.number().int().min(0).max(100).default(8),
    /** Removal calls before the engine gives up removing the bot (retryable errors only). */
    maxRemovalAttempts: z.number().int().min(1).max(20).default(5),
    /** First retry delay; doubles with every attempt. */
    retryBaseDelayMs: z.number().int().min(1).max(3_600_000).default(1_000),
    /** Upper bound of a retry delay. */
    retryMaxDelayMs: z.number().int().min(1).max(3_600_000).default(30_000),
    /** Poll `imopenlines.dialog.get` this often while awaiting an operator; `false` turns polling off. */
    confirmationPollIntervalMs: z
      .union([z.number().int().min(100).max(3_600_000), z.literal(false)])
      .default(false),
  })
  .refine((options) => options.retryBaseDelayMs <= options.retryMaxDelayMs, {
    message: 'retryBaseDelayMs must not exceed retryMaxDelayMs',
    path: ['retryBaseDelayMs'],
  });

/** Options of `createLifecycleMachine`, as a caller writes them. */
export type LifecycleOptions = z.input<typeof lifecycleOptionsSchema>;
/** Options of `createLifecycleMachine`, defaults applied. */
export type ResolvedLifecycleOptions = z.output<typeof lifecycleOptionsSchema>;

/** The retry delay before attempt `attempt + 1`: exponential, capped, never below the platform's hint. */
export function retryDelayMs(
  options: ResolvedLifecycleOptions,
  attempt: number,
  retryAfterMs?: number,
): number {
  const exponential = Math.min(
    options.retryMaxDelayMs,
    options.retryBaseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.max(exponential, retryAfterMs ?? 0);
}

/**
 * Failure codes after which a call may or may not have reached the platform: the request timed
 * out, the connection broke, the answer was unreadable, or the worker that made it died. A
 * transfer failing so is not repeated blindly: the engine first reads the dialog (its owner, the
 * bot's membership) and counts the transfer as made when the platform shows it was.
 */
export const unknownOutcomeCodes: ReadonlySet<string> = new Set([
  'CALL_TIMEOUT',
  'TIMEOUT',
  'NETWORK',
  'INVALID_RESPONSE',
  'INTERNAL_SERVER_ERROR',
  'TRANSPORT_THREW',
  'LEASE_EXPIRED',
]);

/**
 * Failure codes that say nothing about the transfer's target: the platform or the way to it was
 * busy or unreachable. Retrying them does not count against `maxTransferAttempts`.
 */
export const infrastructureFailureCodes: ReadonlySet<string> = new Set([
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_TIME_LIMIT',
  'RATE_LIMITED',
  'CALL_TIMEOUT',
  'TIMEOUT',
  'NETWORK',
  'INVALID_RESPONSE',
  'INTERNAL_SERVER_ERROR',
  'TRANSPORT_THREW',
  'LEASE_EXPIRED',
]);
