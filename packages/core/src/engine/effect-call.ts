import type { ClaimedEffect } from '../contracts/effects.js';
import { truncateMessage } from '../contracts/logger.js';
import type { DialogOwner, Transport, TransportResult } from '../contracts/transport.js';
import type { EffectResultEvent } from '../events.js';

/** The outcome part of an `effect.result` event. */
export type EffectOutcome = EffectResultEvent['outcome'];

const maxRetryAfterMs = 86_400_000;

/**
 * The engine's own failures of a call it made or meant to make (`CALL_TIMEOUT`, `TRANSPORT_THREW`,
 * `LEASE_EXPIRED`, an `INVALID_RESPONSE` it refused): the way failed and the call may have run.
 */
export function engineFailure(
  code: string,
  message: string | undefined = engineMessages[code],
): EffectOutcome {
  return {
    ok: false,
    code,
    retryable: true,
    kind: 'transient',
    outcomeUnknown: true,
    ...(message === undefined ? {} : { message: truncateMessage(message) }),
  };
}

/** What the engine's own failure codes mean, for `lastError` and logs. */
const engineMessages: Readonly<Record<string, string>> = {
  CALL_TIMEOUT: 'The platform call did not end within 80% of its outbox lease and was aborted',
  TRANSPORT_THREW: 'The transport threw instead of returning a failure',
  LEASE_EXPIRED: "An earlier worker's lease on this transfer expired mid-call: its outcome is unknown",
  INVALID_RESPONSE: 'The transport answered with a value outside its contract',
};

/**
 * A call the engine did not send (`NOT_STARTED`: too little of its lease was left after waiting
 * for its portal's turn; `CALL_TIMEOUT` of a call the transport reports as never sent): retried
 * later, not charged to the plan step.
 */
export function notSentFailure(code: 'NOT_STARTED' | 'CALL_TIMEOUT'): EffectOutcome {
  const message =
    code === 'NOT_STARTED'
      ? 'The transfer was not started: too little of its outbox lease was left, or the chat could not be read'
      : 'The call waited for its rate grant past 80% of its outbox lease and was not sent';
  return { ok: false, code, retryable: true, kind: 'budget', notSent: true, message };
}

/**
 * Turns a transport's answer into an outcome the engine can always commit: a transport is third-party
 * code, and an outcome that fails the event schema would leave the call to be repeated forever.
 */
function toOutcome<T>(
  result: TransportResult<T>,
  value: (v: T) => Omit<Extract<EffectOutcome, { ok: true }>, 'ok'>,
): EffectOutcome {
  if (result.ok) {
    const fields = value(result.value);
    const { ownerId } = fields;
    if (ownerId !== undefined && !(Number.isSafeInteger(ownerId) && ownerId >= 0)) {
      return engineFailure('INVALID_RESPONSE');
    }
    return { ok: true, ...fields };
  }
  const { retryable, retryAfterMs, kind, outcomeUnknown, notSent, message } = result.error;
  const code =
    typeof result.error.code === 'string' && result.error.code.length > 0 ? result.error.code : 'UNKNOWN';
  const failure = {
    ok: false as const,
    code,
    retryable: retryable === true,
    ...(kind === 'budget' || kind === 'transient' || kind === 'target' ? { kind } : {}),
    ...(outcomeUnknown === true ? { outcomeUnknown } : notSent === true ? { notSent } : {}),
    ...(typeof message === 'string' && message.length > 0 ? { message: truncateMessage(message) } : {}),
  };
  if (typeof retryAfterMs !== 'number' || !Number.isFinite(retryAfterMs)) return failure;
  return { ...failure, retryAfterMs: Math.min(maxRetryAfterMs, Math.max(0, Math.ceil(retryAfterMs))) };
}

/** The outcome of one chat's dialog read, alone or in a grouped read. */
export function dialogReadOutcome(result: TransportResult<DialogOwner>): EffectOutcome {
  return toOutcome(result, (v) =>
    typeof v.botPresent === 'boolean'
      ? { ownerId: v.ownerId, botPresent: v.botPresent }
      : { ownerId: v.ownerId },
  );
}

/** Makes the platform call an outbox entry describes and reports its outcome as data. */
export async function callTransport(
  transport: Transport,
  effect: ClaimedEffect,
  signal: AbortSignal,
): Promise<EffectOutcome> {
  const chat = { portal: effect.key.portal, chatId: effect.key.chatId };
  const options = { signal };
  const none = () => ({});
  const { call } = effect;
  switch (call.kind) {
    case 'transfer':
      return toOutcome(
        await transport.transfer({ ...chat, target: call.target, leave: call.leave }, options),
        none,
      );
    case 'removeBot':
      return toOutcome(await transport.removeBot(chat, options), (v) => ({ alreadyGone: v.alreadyGone }));
    case 'readDialogOwner':
      return dialogReadOutcome(await transport.readDialogOwner(chat, options));
    case 'sendBotMessage':
      return toOutcome(await transport.sendBotMessage({ ...chat, text: call.text }, options), none);
    case 'handToQueue':
      if (!transport.handToQueue) return notSupported(call.kind);
      return toOutcome(await transport.handToQueue(chat, options), none);
    case 'finishSession':
      if (!transport.finishSession) return notSupported(call.kind);
      return toOutcome(await transport.finishSession(chat, options), none);
  }
}

/** An optional call the transport does not implement: final, nothing was sent. */
function notSupported(kind: string): EffectOutcome {
  return { ok: false, code: `NOT_SUPPORTED:${kind}`, retryable: false };
}
