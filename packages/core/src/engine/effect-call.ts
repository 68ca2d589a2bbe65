import type { ClaimedEffect } from '../contracts/effects.js';
import type { Transport, TransportResult } from '../contracts/transport.js';
import type { EffectResultEvent } from '../events.js';

/** The outcome part of an `effect.result` event. */
export type EffectOutcome = EffectResultEvent['outcome'];

function toOutcome<T>(
  result: TransportResult<T>,
  value: (v: T) => Omit<Extract<EffectOutcome, { ok: true }>, 'ok'>,
): EffectOutcome {
  if (result.ok) return { ok: true, ...value(result.value) };
  const { code, retryable, retryAfterMs } = result.error;
  return retryAfterMs === undefined
    ? { ok: false, code, retryable }
    : { ok: false, code, retryable, retryAfterMs };
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
      return toOutcome(await transport.readDialogOwner(chat, options), (v) => ({ ownerId: v.ownerId }));
    case 'sendBotMessage':
      return toOutcome(await transport.sendBotMessage({ ...chat, text: call.text }, options), none);
    case 'handToQueue':
      return toOutcome(await transport.handToQueue(chat, options), none);
    case 'finishSession':
      return toOutcome(await transport.finishSession(chat, options), none);
  }
}
