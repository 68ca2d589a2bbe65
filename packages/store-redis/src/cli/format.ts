import type { BusyRepairReport, ChatListing, StoreBacklog } from '@baton/core/adapter';
import type { ChatDetails } from '../inspection.js';
import { formatDuration } from './duration.js';

const time = (ms: number) => new Date(ms).toISOString();
const chatName = (key: { portal: string; chatId: number }) => `${key.portal}:${key.chatId}`;

/** Chats, one a line: name, state, how long in it, version. */
export function formatChats(chats: readonly ChatListing[], now: number): string {
  if (chats.length === 0) return 'No chats match.\n';
  const rows = chats.map((chat) => [
    chatName(chat.key),
    chat.state,
    `${formatDuration(now - chat.stateSince)}`,
    time(chat.stateSince),
    `v${chat.version}`,
  ]);
  return table(['CHAT', 'STATE', 'FOR', 'SINCE', 'VERSION'], rows);
}

/** Chats per state and the backlog. */
export function formatOverview(chats: readonly ChatListing[], backlog: StoreBacklog, now: number): string {
  const byState = new Map<string, { count: number; oldest: number }>();
  for (const chat of chats) {
    const entry = byState.get(chat.state) ?? { count: 0, oldest: chat.stateSince };
    entry.count += 1;
    entry.oldest = Math.min(entry.oldest, chat.stateSince);
    byState.set(chat.state, entry);
  }
  const rows = [...byState].map(([state, { count, oldest }]) => [
    state,
    String(count),
    formatDuration(now - oldest),
  ]);
  return `${rows.length === 0 ? 'No chats.\n' : table(['STATE', 'CHATS', 'LONGEST'], rows)}\n${formatBacklog(backlog)}`;
}

export function formatBacklog(backlog: StoreBacklog): string {
  return `Outbox: ${backlog.effects} entries waiting\nTimers: ${backlog.timers} set, ${backlog.dueTimers} past due\n`;
}

/** Busy counts that differ from the chats holding the operators (a check: nothing was changed). */
export function formatBusy(report: BusyRepairReport): string {
  const read = `Busy counts checked against ${report.chats} chats`;
  if (report.corrected.length === 0) return `${read}: every count matches its chats.\n`;
  const rows = report.corrected.map((entry) => [
    entry.portal,
    String(entry.operatorId),
    String(entry.was),
    String(entry.now),
  ]);
  return `${read}; ${report.corrected.length} differ (run repairBusyCounts() to fix):\n${table(['PORTAL', 'OPERATOR', 'STORED', 'CHATS'], rows)}`;
}

/** The fields of a chat's context worth reading first; the rest is in `--json`. */
function contextLines(context: Record<string, unknown>): string[] {
  const plan = Array.isArray(context.plan)
    ? (context.plan as Array<{ target?: Record<string, unknown> }>)
    : [];
  const step = typeof context.step === 'number' ? context.step : 0;
  const target = (value: unknown) => {
    const t = value as { kind?: string; userId?: number; queueId?: number } | undefined;
    if (!t) return '—';
    return t.kind === 'queue' ? `queue ${t.queueId}` : `user ${t.userId}`;
  };
  const lines = [
    `plan:        ${plan.length === 0 ? 'none' : `${plan.length} step(s): ${plan.map((s) => target(s.target)).join(' → ')}`}`,
    ...(plan.length === 0
      ? []
      : [`step:        ${step} (${target(plan[step]?.target)}), attempt ${context.attempt}`]),
    `operator:    ${context.operatorId ?? '—'}`,
    `bot present: ${context.botPresent === true ? 'yes' : 'no'}`,
  ];
  if (typeof context.reason === 'string') lines.push(`reason:      ${context.reason}`);
  const failure = context.lastError as
    | { code: string; message?: string; step?: number; target?: unknown; at?: number }
    | null
    | undefined;
  if (failure) {
    const where = failure.step === undefined ? '' : ` (step ${failure.step}, ${target(failure.target)})`;
    const when = failure.at === undefined ? '' : ` at ${time(failure.at)}`;
    lines.push(`last error:  ${failure.code}${failure.message ? `: ${failure.message}` : ''}${where}${when}`);
  }
  return lines;
}

/** One chat: where it is, why, what is pending, and its recent history oldest first. */
export function formatChat(chat: ChatDetails, now: number): string {
  const context = ((chat.snapshot as { context?: unknown }).context ?? {}) as Record<string, unknown>;
  const out = [
    `Chat ${chatName(chat.key)}: ${chat.summary.state} for ${formatDuration(now - chat.summary.stateSince)} (since ${time(chat.summary.stateSince)}), version ${chat.version}`,
    '',
    ...contextLines(context).map((line) => `  ${line}`),
    '',
    'Timeline (oldest first):',
  ];
  const history = [...chat.history].reverse();
  if (history.length === 0) out.push('  (no history kept)');
  let previous: string | undefined;
  for (const entry of history) {
    const moved =
      previous === undefined || previous !== entry.state ? `→ ${entry.state}` : `  ${entry.state}`;
    previous = entry.state;
    const reason = entry.reason === undefined ? '' : `  ${entry.reason}`;
    out.push(
      `  ${time(entry.at)}  v${entry.version}  ${(entry.eventType ?? entry.eventId).padEnd(18)} ${moved}${reason}`,
    );
  }
  out.push('', 'Pending outbox:');
  if (chat.effects.length === 0) out.push('  none');
  for (const effect of chat.effects) {
    const lease = effect.leasedUntil > now ? `, leased until ${time(effect.leasedUntil)}` : '';
    out.push(`  ${effect.id} (${effect.kind}), claimed ${effect.attempt} time(s)${lease}`);
  }
  out.push('', 'Timers:');
  if (chat.timers.length === 0) out.push('  none');
  for (const timer of chat.timers) {
    const due =
      timer.dueAt <= now
        ? `${formatDuration(now - timer.dueAt)} overdue`
        : `in ${formatDuration(timer.dueAt - now)}`;
    out.push(`  ${timer.id} due ${time(timer.dueAt)} (${due})`);
  }
  return `${out.join('\n')}\n`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
