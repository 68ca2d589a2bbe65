import type { EffectCall, TransferTarget } from '../contracts/effects.js';
import type { SkipReason } from '../policies/availability.js';

/** Record a platform call in the outbox. */
export interface EffectInstruction {
  readonly id: string;
  readonly call: EffectCall;
}

/** Start a durable timer; it fires as a `timer.fired` event naming `id`. */
export interface ScheduleInstruction {
  readonly id: string;
  readonly delayMs: number;
}

/** Remove a timer; `null` when the state had none. */
export interface CancelInstruction {
  readonly id: string | null;
}

/** Something worth telling the engine's listeners, once the commit holds. */
export type Notice =
  | {
      readonly type: 'transfer.requested';
      readonly target: TransferTarget;
      readonly leave: boolean;
      readonly step: number;
      readonly attempt: number;
    }
  | {
      readonly type: 'transfer.succeeded';
      readonly target: TransferTarget;
      readonly leave: boolean;
      readonly step: number;
    }
  | {
      readonly type: 'transfer.failed';
      readonly target: TransferTarget;
      readonly step: number;
      readonly code: string;
      readonly retryable: boolean;
      readonly willRetry: boolean;
      /** The transport's description of the failure (cut to 500 characters), when it gave one. */
      readonly message?: string;
    }
  | {
      readonly type: 'operator.answered';
      readonly operatorId: number | null;
      readonly source: 'message' | 'poll' | 'explicit';
    }
  | { readonly type: 'bot.left'; readonly reason: BotLeftReason }
  | { readonly type: 'bot.removalFailed'; readonly code: string }
  | {
      readonly type: 'handoff.failed';
      /** The last failure's code: a platform code, `CONFIRMATION_TIMEOUT`, `OPERATOR_SKIPPED`, … */
      readonly code: string;
      /** How many steps the plan had. */
      readonly steps: number;
      /** The last failure's description (the transport's message), when there was one. */
      readonly message?: string;
      /** The plan step and target the last failure concerned. */
      readonly step?: number;
      readonly target?: TransferTarget;
      /** `no-one-available`: every step was skipped (out of hours, operators away); `exhausted`: steps were tried. */
      readonly reason: 'exhausted' | 'no-one-available';
    }
  | {
      /** A plan step was skipped without a call: it could not succeed now. */
      readonly type: 'step.skipped';
      readonly target: TransferTarget;
      readonly step: number;
      readonly reason: SkipReason;
    }
  | {
      readonly type: 'session.started';
      /** The platform's session id, when the event that started it carried one. */
      readonly platformSession: number | null;
    };

/** Why the bot is no longer in the chat. */
export type BotLeftReason =
  | 'leaveOnTransfer'
  | 'removed'
  | 'alreadyGone'
  | 'clientLeftBot'
  | 'kicked'
  | 'unknown';
