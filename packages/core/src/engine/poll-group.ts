import type { ChatKey } from '../chat-key.js';
import type { ClaimedEffect } from '../contracts/effects.js';
import { dialogReadsPerRequest, type TransportResult } from '../contracts/transport.js';
import { dialogReadOutcome, type EffectOutcome, engineFailure } from './effect-call.js';
import {
  type ClaimedEntry,
  callBefore,
  type OutboxRunnerDeps,
  readyToCall,
  runEffect,
  settle,
} from './outbox-entry.js';

/**
 * A confirmation poll: a dialog read the machine made for its poll timer or to settle an answer
 * (ids `poll:…`). Those may wait for each other and share a request. The read that verifies a
 * transfer's unknown outcome (`verify:…`) is never grouped: the transfer waits for it.
 */
export function isGroupablePoll(effect: ClaimedEffect): boolean {
  return effect.call.kind === 'readDialogOwner' && effect.id.startsWith('poll:');
}

/** Splits polls into groups of one portal, at most `dialogReadsPerRequest` each, in claim order. */
export function pollGroups(entries: readonly ClaimedEntry[]): ClaimedEntry[][] {
  const byPortal = new Map<string, ClaimedEntry[]>();
  for (const entry of entries) {
    const list = byPortal.get(entry.effect.key.portal) ?? [];
    list.push(entry);
    byPortal.set(entry.effect.key.portal, list);
  }
  const groups: ClaimedEntry[][] = [];
  for (const list of byPortal.values()) {
    for (let from = 0; from < list.length; from += dialogReadsPerRequest) {
      groups.push(list.slice(from, from + dialogReadsPerRequest));
    }
  }
  return groups;
}

/**
 * Reads the dialogs of a group of polls of one portal with one `readDialogOwners` call, and
 * settles each entry with its own outcome (its own `effect.result`, then its completion): one
 * chat's failure is that chat's alone, and its poll comes again as any failed poll does. Entries
 * the chat no longer waits for are dealt with first, as alone; what is left is read together.
 * A group of one, or a transport without `readDialogOwners`, reads alone.
 */
export async function runPollGroup(deps: OutboxRunnerDeps, group: readonly ClaimedEntry[]): Promise<void> {
  const readDialogOwners = deps.transport.readDialogOwners;
  if (readDialogOwners === undefined || group.length < 2) {
    await Promise.all(group.map((entry) => runEffect(deps, entry.effect, entry.claimedAt)));
    return;
  }
  const ready = (
    await Promise.all(
      group.map(async (entry) => {
        try {
          const deadline = await readyToCall(deps, entry.effect, entry.claimedAt);
          return deadline === undefined ? undefined : { ...entry, deadline };
        } catch (error) {
          deps.reportError(error, { stage: 'outbox', key: entry.effect.key });
          return undefined;
        }
      }),
    )
  ).filter((entry) => entry !== undefined);
  if (ready.length === 0) return;
  const chats: ChatKey[] = ready.map(({ effect }) => ({
    portal: effect.key.portal,
    chatId: effect.key.chatId,
  }));
  // The whole group must end within the shortest lease left among its entries.
  const deadline = Math.min(...ready.map((entry) => entry.deadline));
  const outcomes = await callBefore(deps, chats, deadline, async (signal) =>
    groupOutcomes(await readDialogOwners.call(deps.transport, chats, { signal }), chats.length),
  );
  await Promise.all(
    ready.map(async ({ effect, claimedAt }, index) => {
      try {
        await settle(deps, effect, outcomes[index] ?? engineFailure('INVALID_RESPONSE'), claimedAt);
      } catch (error) {
        deps.reportError(error, { stage: 'outbox', key: effect.key });
      }
    }),
  );
}

/**
 * Each chat's outcome from a grouped read. A transport is third-party code: an answer of the
 * wrong length fails every chat of the group, a malformed outcome fails its chat, as
 * `INVALID_RESPONSE` (retryable).
 */
function groupOutcomes(results: unknown, expected: number): EffectOutcome[] {
  if (!Array.isArray(results) || results.length !== expected) {
    return Array.from({ length: expected }, () => engineFailure('INVALID_RESPONSE'));
  }
  return results.map((result: unknown) =>
    isDialogResult(result) ? dialogReadOutcome(result) : engineFailure('INVALID_RESPONSE'),
  );
}

function isDialogResult(value: unknown): value is TransportResult<{ ownerId: number; botPresent?: boolean }> {
  if (typeof value !== 'object' || value === null) return false;
  const { ok, value: owner, error } = value as { ok?: unknown; value?: unknown; error?: unknown };
  if (ok === true) return typeof owner === 'object' && owner !== null;
  return ok === false && typeof error === 'object' && error !== null;
}

/** Options of `createPollGatherer`. */
export interface PollGathererOptions {
  /** How long the first poll of a portal waits for others to join its group. */
  readonly windowMs: number;
  /** Runs a full or timed-out group (the caller puts it in its portal's lane). */
  readonly run: (portal: string, group: readonly ClaimedEntry[]) => Promise<void>;
  /** When it aborts, every waiting group runs at once (its entries then see the engine stopping). */
  readonly stopping: AbortSignal;
}

/** Collects the polls the background outbox claims into groups of one portal. */
export interface PollGatherer {
  /** Adds a claimed poll; resolves once its group has run. */
  add(entry: ClaimedEntry): Promise<void>;
}

/**
 * Polls come due together (the machine aligns them to its interval's grid) but are claimed a few
 * at a time, while the timer loop fires them. So a portal's first poll waits up to `windowMs` for
 * others to join it; a group runs as soon as it holds `dialogReadsPerRequest` polls. A poll is a
 * fallback signal of an answer: a short wait costs nothing, a request per chat costs the budget.
 */
export function createPollGatherer(options: PollGathererOptions): PollGatherer {
  const waiting = new Map<
    string,
    { entries: ClaimedEntry[]; ran: Promise<void>; start: () => void; timer: NodeJS.Timeout }
  >();

  function flush(portal: string): void {
    const group = waiting.get(portal);
    if (group === undefined) return;
    waiting.delete(portal);
    clearTimeout(group.timer);
    group.start();
  }
  options.stopping.addEventListener('abort', () => {
    for (const portal of [...waiting.keys()]) flush(portal);
  });

  return {
    add(entry) {
      const portal = entry.effect.key.portal;
      let group = waiting.get(portal);
      if (group === undefined) {
        const entries: ClaimedEntry[] = [];
        let start: () => void = () => {};
        const started = new Promise<void>((resolve) => {
          start = resolve;
        });
        group = {
          entries,
          ran: started.then(() => options.run(portal, entries)),
          start: () => start(),
          timer: setTimeout(() => flush(portal), options.windowMs),
        };
        waiting.set(portal, group);
      }
      group.entries.push(entry);
      const { ran } = group;
      if (group.entries.length >= dialogReadsPerRequest || options.stopping.aborted) flush(portal);
      return ran;
    },
  };
}
