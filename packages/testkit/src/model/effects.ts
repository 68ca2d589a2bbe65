import type { ChatRecord } from './types.js';

/**
 * What the session rules cause outside the chat record: platform notices that a bot still in the
 * chat hears, and timers (`QUEUE_TIME`). The rules stay synchronous; the caller decides whether
 * to wait for the deliveries.
 */
export interface SessionEffects {
  /**
   * Records a system message (`SYSTEM=Y`) from `authorId` (0: from nobody) and delivers it to the
   * chat's bot if the bot is a member at this moment and the author is a person.
   */
  notice(chat: ChatRecord, authorId: number, text: string): void;
  /** Runs `task` after `ms`, unless the emulator closes first. */
  after(ms: number, task: () => void): void;
}

/** Effects that record notices and run no timers: for rules applied where nobody listens. */
export const silentEffects: SessionEffects = {
  notice: () => undefined,
  after: () => undefined,
};
