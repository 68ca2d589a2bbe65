import { z } from 'zod';
import { backoffDelayMs } from '../rate-limit/backoff.js';

/** How the lifecycle machine retries and polls. All durations in milliseconds. */
export const lifecycleOptionsSchema = z
  .object({
    /**
     * Transfer calls per plan step that the target itself may refuse (failures of `kind`
     * `target`, e.g. `OPERATOR_WRONG` while another transfer holds the chat's lock) before the step
     * counts as failed. Small on purpose: a target that keeps refusing will not accept.
     */
    maxTransferAttempts: z.number().int().min(1).max(20).default(2),
    /**
     * Platform requests one plan step may cost under failures: its transfer calls and the dialog
     * reads that settle a transfer whose outcome was unknown. A retry is made only when it (and
     * the read that may have to settle it) fits. The transport makes one attempt per call, so
     * this is the bound of HTTP requests per step (a token refresh aside): with the default,
     * persistent `QUERY_LIMIT_EXCEEDED` costs 5, persistent 500s or network failures 4
     * (transfer, read, transfer, read), `OPERATOR_WRONG` 2 (`maxTransferAttempts`).
     */
    maxStepRequests: z.number().int().min(1).max(100).default(5),
    /** Removal calls before the engine gives up removing the bot (retryable errors only). */
    maxRemovalAttempts: z.number().int().min(1).max(20).default(5),
    /** First retry delay; doubles with every attempt. The engine's one backoff for every platform call. */
    retryBaseDelayMs: z.number().int().min(1).max(3_600_000).default(1_000),
    /** Upper bound of a retry delay. */
    retryMaxDelayMs: z.number().int().min(1).max(3_600_000).default(30_000),
    /**
     * Poll `imopenlines.dialog.get` this often while awaiting an operator; `false` turns polling
     * off. Each poll comes due at the next multiple of the interval (by the engine's clock), so
     * that the polls of every waiting chat come due together and can share a request.
     */
    confirmationPollIntervalMs: z
      .union([z.number().int().min(100).max(3_600_000), z.literal(false)])
      .default(false),
    /** What the client hears while the chat waits for an operator (see `WaitingRoomOptions`). */
    waitingRoom: z
      .object({
        /**
         * Sent every `everyMs` while the chat waits, on a durable timer; `{minutes}` in the text
         * becomes the minutes waited so far.
         */
        stillWaiting: z
          .object({
            everyMs: z.number().int().min(1_000).max(86_400_000),
            text: z.string().min(1).max(4_000),
          })
          .optional(),
        /** Sent when a step failed (timeout, skip, refusal) and the next step is tried. */
        fallbackMessage: z.string().min(1).max(4_000).optional(),
        /** Sent when every step of the plan failed and the bot holds the chat again. */
        exhaustedMessage: z.string().min(1).max(4_000).optional(),
        /** Sent instead of `exhaustedMessage` when every step was skipped (out of hours, nobody available). */
        outOfHoursMessage: z.string().min(1).max(4_000).optional(),
      })
      .default({}),
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
  return Math.max(
    backoffDelayMs(options.retryBaseDelayMs, options.retryMaxDelayMs, attempt),
    retryAfterMs ?? 0,
  );
}
