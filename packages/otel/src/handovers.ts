import type { SpanContext } from '@opentelemetry/api';

/** A hand-over this process saw begin: where its trace is, and when it began. */
export interface OpenHandover {
  /** The span of the dispatch that asked for it: every later span of the chat's hand-over is its child. */
  readonly parent: SpanContext;
  readonly startedAt: number;
  /** Whether its outcome (answered, failed, cancelled) was counted already. */
  settled: boolean;
}

/** Chats are forgotten oldest first past this many, so that a long-running process stays small. */
const maxTracked = 10_000;

/**
 * The hand-overs in flight in this process, by chat. A hand-over is followed from the commit that
 * asked for it until its chat is back with the bot or closed; the operator's part (the bot's
 * removal) still belongs to its trace.
 */
export function createHandoverBook() {
  const open = new Map<string, OpenHandover>();
  const keyOf = (key: { portal: string; chatId: number }) => `${key.portal}\u0000${key.chatId}`;
  return {
    get: (key: { portal: string; chatId: number }) => open.get(keyOf(key)),
    begin(key: { portal: string; chatId: number }, handover: OpenHandover): void {
      const id = keyOf(key);
      open.delete(id);
      open.set(id, handover);
      if (open.size > maxTracked) {
        const oldest = open.keys().next().value;
        if (oldest !== undefined) open.delete(oldest);
      }
    },
    end(key: { portal: string; chatId: number }): void {
      open.delete(keyOf(key));
    },
  };
}
