import type { Meter } from '@opentelemetry/api';

/** The instruments `instrumentBaton` records to; names and units are part of the package's API. */
export function createInstruments(meter: Meter) {
  return {
    handovers: meter.createCounter('baton.handovers', {
      description: 'Hand-overs that ended, by outcome: answered, failed, cancelled',
    }),
    timeToAccept: meter.createHistogram('baton.handover.time_to_accept', {
      description: 'From the transfer request to the operator answer',
      unit: 'ms',
    }),
    confirmationTimeouts: meter.createCounter('baton.confirmation.timeouts', {
      description: 'Plan steps whose operator did not answer within the confirmation timeout',
    }),
    transferFailures: meter.createCounter('baton.transfer.failures', {
      description: 'Failed transfer calls, by code',
    }),
    commitConflicts: meter.createCounter('baton.commit.conflicts', {
      description: 'Commits refused because the chat changed meanwhile (retried by the engine)',
    }),
    timerLateness: meter.createHistogram('baton.timer.lateness', {
      description: 'How late a durable timer was claimed after it came due',
      unit: 'ms',
    }),
    rateLimitWaits: meter.createHistogram('baton.rate_limit.wait', {
      description: 'Requests that waited for rate budget, by outcome: granted, budget, aborted',
      unit: 'ms',
    }),
    outboxClaims: meter.createCounter('baton.outbox.claims', {
      description: 'Outbox entries claimed by this process, by call kind',
    }),
    errors: meter.createCounter('baton.errors', {
      description: 'Background failures, by stage',
    }),
  };
}

export type Instruments = ReturnType<typeof createInstruments>;
