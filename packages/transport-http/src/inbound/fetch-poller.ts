import type { LockManager } from '@baton/core';
import type { Lock } from '@baton/core/adapter';
import { describeZodIssues, sleep } from '@baton/core/adapter';
import { z } from 'zod';
import { BitrixError } from '../errors.js';
import type { BitrixClient } from '../rest/client.js';
import type { AcceptEvent } from './handler.js';
import { normalizeV2Data } from './v2-events.js';

/** Options of `createFetchPoller`. */
export interface FetchPollerOptions {
  /** The REST client (`transport.client`); its portal settings name the bot and its token. */
  readonly client: BitrixClient;
  /** The portal (`member_id`) whose bot is polled. */
  readonly portal: string;
  /** Hands each event to the engine; resolving means accepted. */
  readonly accept: AcceptEvent;
  /**
   * Makes sure only one worker polls a bot at a time. Give the transport a shared one (e.g.
   * Redis) when several processes run pollers; the poller never closes it.
   * @defaultValue the client's `lockManager` (the transport's `lockManager` option)
   */
  readonly lockManager?: LockManager;
  /**
   * Events per `imbot.v2.Event.get` call (1..1000).
   * @defaultValue 100
   */
  readonly batchSize?: number;
  /**
   * Pause between polls when the last one had nothing more.
   * @defaultValue 1_000
   */
  readonly intervalMs?: number;
  /**
   * Lease of the poller's lock; extended on every poll, and while a batch is being accepted.
   * @defaultValue 30_000
   */
  readonly lockTtlMs?: number;
  /** Told about failed polls, unreadable events, and a lock lost in the middle of a batch. */
  readonly onError?: (error: BitrixError) => void;
}

/** What one poll did. */
export type PollOutcome =
  /** Another worker holds the bot's lock (or took it over in the middle of this batch). */
  | { readonly status: 'locked' }
  | { readonly status: 'failed'; readonly error: BitrixError }
  | {
      readonly status: 'polled';
      readonly received: number;
      readonly accepted: number;
      readonly ignored: number;
      /** Events that could not be read (skipped, never handed on). */
      readonly invalid: number;
      /** `true` when `accept` failed: the rest of the batch is fetched again next time. */
      readonly stalled: boolean;
      readonly hasMore: boolean;
    };

/** A v2 fetch-mode poller for one bot. */
export interface FetchPoller {
  /** One poll: take the lock, fetch a batch, accept it in order, remember the next offset. */
  pollOnce(): Promise<PollOutcome>;
  /** Polls in the background until `stop`; may be called again after `stop`. */
  start(): void;
  /** Stops polling, acknowledges what was accepted, releases the lock. Idempotent. Never closes the lock manager. */
  stop(): Promise<void>;
}

const eventsAnswerSchema = z.object({
  events: z.array(
    z
      .object({
        eventId: z.coerce.number().int().nonnegative(),
        type: z.string().min(1).max(128),
        data: z.unknown(),
      })
      .loose(),
  ),
  nextOffset: z.coerce.number().int().nonnegative(),
  hasMore: z
    .union([z.boolean(), z.literal('1'), z.literal('0'), z.literal('Y'), z.literal('N')])
    .transform((v) => v === true || v === '1' || v === 'Y'),
});

/**
 * Creates a fetch-mode poller (`imbot.v2.Event.get`). Passing `offset` acknowledges every event
 * with a smaller id, so the offset only moves past events that `accept` resolved: a crash
 * re-delivers, never loses (the engine dedupes by event id).
 */
export function createFetchPoller(options: FetchPollerOptions): FetchPoller {
  const batchSize = options.batchSize ?? 100;
  const intervalMs = options.intervalMs ?? 1_000;
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const locks = options.lockManager ?? options.client.lockManager;
  let lock: Lock | undefined;
  /** When the lease was last renewed. */
  let heldSince = 0;
  let offset = 0;
  let unacknowledged = false;
  let running: Promise<void> | undefined;
  let stopping: AbortController | undefined;

  async function holdLock(botId: number): Promise<boolean> {
    if (lock && (await lock.extend(lockTtlMs))) {
      heldSince = Date.now();
      return true;
    }
    lock = await locks.tryAcquire(`baton:fetch-poller:${options.portal}:${botId}`, lockTtlMs);
    heldSince = Date.now();
    return lock !== undefined;
  }

  /** Renews the lease when a third of it has passed; `false` once another worker may own the bot. */
  async function keepLock(): Promise<boolean> {
    if (!lock) return false;
    if (Date.now() - heldSince < lockTtlMs / 3) return true;
    if (await lock.extend(lockTtlMs)) {
      heldSince = Date.now();
      return true;
    }
    lock = undefined;
    return false;
  }

  async function fetchBatch(
    botId: number,
    botToken: string | undefined,
    limit: number,
    signal?: AbortSignal,
  ) {
    const params = { botId, offset, limit, ...(botToken === undefined ? {} : { botToken }) };
    return options.client.call(options.portal, 'imbot.v2.Event.get', params, signal ? { signal } : {});
  }

  async function pollOnce(signal?: AbortSignal): Promise<PollOutcome> {
    const portal = await options.client.portal(options.portal);
    if (portal instanceof BitrixError) return failed(portal);
    if (!(await holdLock(portal.bot.id))) return { status: 'locked' };
    const answer = await fetchBatch(portal.bot.id, portal.botToken, batchSize, signal);
    if (!answer.ok) return failed(answer.error);
    unacknowledged = false;
    const parsed = eventsAnswerSchema.safeParse(answer.result);
    if (!parsed.success) {
      const message = `imbot.v2.Event.get on ${options.portal}: unexpected answer: ${describeZodIssues(parsed.error).join('; ')}`;
      return failed(
        new BitrixError('INVALID_RESPONSE', message, {
          portal: options.portal,
          method: 'imbot.v2.Event.get',
        }),
      );
    }
    const counts = { received: parsed.data.events.length, accepted: 0, ignored: 0, invalid: 0 };
    for (const item of parsed.data.events) {
      if (!(await keepLock())) {
        // Another worker may own the bot now: leave the rest of the batch (and the offset) to it.
        offset = Math.max(offset, item.eventId);
        unacknowledged = false;
        options.onError?.(
          new BitrixError('UNEXPECTED', 'The fetch poller lost its lock in the middle of a batch', {
            portal: options.portal,
            method: 'imbot.v2.Event.get',
            retryable: true,
          }),
        );
        return { status: 'locked' };
      }
      const normalized = normalizeV2Data(item.type, options.portal, item.data, {
        eventId: String(item.eventId),
      });
      if ('kind' in normalized && normalized.kind === 'event') {
        try {
          await options.accept(normalized.event);
        } catch (cause) {
          // Stop here: the next poll starts at this event, acknowledging only the ones before it.
          offset = item.eventId;
          unacknowledged = true;
          options.onError?.(
            new BitrixError(
              'NOT_ACCEPTED',
              'The engine could not accept a fetched event',
              { portal: options.portal, retryable: true },
              cause,
            ),
          );
          return { status: 'polled', ...counts, stalled: true, hasMore: true };
        }
        counts.accepted += 1;
      } else if ('kind' in normalized) {
        counts.ignored += 1;
      } else {
        counts.invalid += 1;
        options.onError?.(
          new BitrixError(
            'INVALID_PAYLOAD',
            `Unreadable fetched event ${item.eventId}: ${describeZodIssues(normalized).join('; ')}`,
            { portal: options.portal },
          ),
        );
      }
    }
    if (parsed.data.nextOffset > offset) {
      offset = parsed.data.nextOffset;
      unacknowledged = counts.received > 0;
    }
    return { status: 'polled', ...counts, stalled: false, hasMore: parsed.data.hasMore };
  }

  function failed(error: BitrixError): PollOutcome {
    options.onError?.(error);
    return { status: 'failed', error };
  }

  /** `pollOnce`, with a throwing lock manager or token store reported instead of thrown. */
  async function pollSafely(signal?: AbortSignal): Promise<PollOutcome> {
    try {
      return await pollOnce(signal);
    } catch (cause) {
      const message = `Polling ${options.portal} failed: a pluggable part (lock manager, portal directory) threw`;
      return failed(
        new BitrixError(
          'UNEXPECTED',
          message,
          { portal: options.portal, method: 'imbot.v2.Event.get', retryable: true },
          cause,
        ),
      );
    }
  }

  async function loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const outcome = await pollSafely(signal);
      const again = outcome.status === 'polled' && outcome.hasMore && !outcome.stalled;
      if (!again) await sleep(intervalMs, signal);
    }
  }

  return {
    pollOnce: () => pollSafely(),
    start() {
      if (running) return;
      stopping = new AbortController();
      running = loop(stopping.signal);
    },
    async stop() {
      stopping?.abort();
      await running;
      running = undefined;
      if (lock && unacknowledged) {
        // Acknowledge what was accepted; the one event this returns is not processed, so it stays unacknowledged.
        const portal = await options.client.portal(options.portal);
        if (!(portal instanceof BitrixError)) await fetchBatch(portal.bot.id, portal.botToken, 1);
        unacknowledged = false;
      }
      const held = lock;
      lock = undefined;
      await held?.release();
    },
  };
}
