import type { EngineEvents } from '@baton/core';
import type { EventEmitter } from 'eventemitter3';

/** Prints what happens to every chat as a readable, timed timeline. */
export function createTimeline(label: (chatId: number) => string) {
  const started = performance.now();
  const stamp = () => `+${((performance.now() - started) / 1000).toFixed(2).padStart(6)}s`;
  const line = (chatId: number | null, text: string) =>
    console.log(`${stamp()}  ${(chatId === null ? '' : label(chatId)).padEnd(22)} ${text}`);

  return {
    line,
    heading(text: string) {
      console.log(`\n── ${text} ${'─'.repeat(Math.max(0, 86 - text.length))}`);
    },
    /** Subscribes to the engine's events. With `quiet`, only failures are printed (for bursts). */
    follow(engine: Pick<EventEmitter<EngineEvents>, 'on'>, quiet: () => boolean) {
      engine.on('transition', (transition) => {
        const { key, from, to, eventType } = transition;
        if (quiet() || from === to) return;
        // Events forwarded from worker processes say which worker committed them.
        const by = 'by' in transition ? ` on ${String(transition.by)}` : '';
        line(key.chatId, `${(from ?? 'new').padEnd(16)} → ${to.padEnd(16)} (${eventType}${by})`);
      });
      engine.on('transfer.requested', ({ key, target, leave, attempt }) => {
        if (quiet()) return;
        const who = target.kind === 'user' ? `operator ${target.userId}` : `queue ${target.queueId}`;
        line(
          key.chatId,
          `  ↪ imopenlines.bot.session.transfer to ${who}, LEAVE=${leave ? 'Y' : 'N'} (attempt ${attempt})`,
        );
      });
      engine.on('operator.answered', ({ key, operatorId, source }) => {
        if (!quiet()) line(key.chatId, `  ✓ operator ${operatorId ?? '?'} answered (seen via ${source})`);
      });
      engine.on('bot.left', ({ key, reason }) => {
        if (!quiet()) line(key.chatId, `  ✓ bot left the chat (${reason})`);
      });
      engine.on('transfer.failed', ({ key, code, willRetry }) => {
        line(key.chatId, `  ✗ transfer failed: ${code}${willRetry ? ', will retry' : ''}`);
      });
      engine.on('handoff.failed', ({ key, code }) =>
        line(key.chatId, `  ✗ hand-over failed: ${code}; back to the bot`),
      );
      engine.on('error', (error, context) => line(null, `  ! ${context.stage}: ${String(error)}`));
    },
  };
}
