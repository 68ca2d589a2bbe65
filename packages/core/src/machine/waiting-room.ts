import type { ChatContext } from './context.js';
import { nextId } from './decisions.js';
import type { EffectInstruction } from './instructions.js';

/**
 * Waiting-room messages (a step's own, "still waiting", fallback) are sent only while the chat
 * waits: leaving the waiting room drops those not yet sent. `notice` messages (the plan is
 * exhausted) are said as the chat leaves, and are kept.
 */
export function isWaitingRoomMessage(effectId: string): boolean {
  return effectId.startsWith('waitmsg:');
}

type Enqueue = (action: { type: 'effect'; params: EffectInstruction }) => void;

/**
 * Records a bot message to the client in the outbox and returns the context fields that
 * remember it: the outbox sends it only while its id is in `waitingMessages`.
 */
export function waitingMessage(
  enqueue: Enqueue,
  context: Pick<ChatContext, 'session' | 'seq' | 'waitingMessages'>,
  text: string,
  kind: 'waitmsg' | 'notice' = 'waitmsg',
): Pick<ChatContext, 'seq' | 'waitingMessages'> {
  const id = nextId(context as ChatContext, kind);
  enqueue({ type: 'effect', params: { id, call: { kind: 'sendBotMessage', text } } });
  return { seq: context.seq + 1, waitingMessages: [...context.waitingMessages, id] };
}
