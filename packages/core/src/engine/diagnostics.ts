import type { ChatKey } from '../chat-key.js';
import type { Clock } from '../contracts/clock.js';
import type { Scheduler } from '../contracts/scheduler.js';
import type { Store } from '../contracts/store.js';
import type { CallOptions, Transport, TransportResult } from '../contracts/transport.js';
import { publish, traced } from '../diagnostics/channels.js';
import type { LifecycleEvent } from '../events.js';
import type { DispatchResult } from './dispatcher.js';

/**
 * The engine's side of `node:diagnostics_channel`: thin wrappers that publish what the store,
 * the scheduler and the transport do, so that the dispatcher and the runners need no tracing
 * code of their own. Each wrapper costs one `hasSubscribers` check per call while nobody listens.
 */

/** A wrapper that forwards everything to `target` but the methods in `overrides`. */
function wrap<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

/** One event's dispatch, on the `baton:dispatch` tracing channel. */
export function traceDispatch(
  event: LifecycleEvent,
  work: () => Promise<DispatchResult>,
): Promise<DispatchResult> {
  return traced(
    'dispatch',
    { event: { type: event.type, id: event.id, portal: event.portal, chatId: event.chatId } },
    work,
    (result, message) => {
      message.outcome = { status: result.status, state: result.state, version: result.version };
    },
  );
}

/** The store, with commits on `baton:commit` and claims on `baton:outbox.claim`. */
export function observeStore(store: Store): Store {
  return wrap(store, {
    commit: (commit, options) =>
      traced(
        'commit',
        {
          key: commit.key,
          eventId: commit.eventId,
          state: commit.summary.state,
          expectedVersion: commit.expectedVersion,
        },
        // Options pass through as given: a store that takes none still sees one argument.
        () => (options === undefined ? store.commit(commit) : store.commit(commit, options)),
        (result, message) => {
          message.outcome = { status: result.status };
        },
      ),
    claimEffects: async (options) => {
      const claimed = await store.claimEffects(options);
      if (claimed.length > 0) {
        publish('claim', () => ({
          effects: claimed.map((effect) => ({
            key: effect.key,
            id: effect.id,
            kind: effect.call.kind,
            attempt: effect.attempt,
          })),
        }));
      }
      return claimed;
    },
  });
}

/** The scheduler, with claimed timers and their lateness on `baton:timers.claim`. */
export function observeScheduler(scheduler: Scheduler, clock: Clock): Scheduler {
  return wrap(scheduler, {
    claimDueTimers: async (options) => {
      const due = await scheduler.claimDueTimers(options);
      if (due.length > 0) {
        const now = clock.now();
        publish('timers', () => ({
          timers: due.map((timer) => ({
            key: timer.key,
            id: timer.id,
            latenessMs: Math.max(0, now - timer.dueAt),
          })),
        }));
      }
      return due;
    },
  });
}

const callKinds = [
  'transfer',
  'removeBot',
  'readDialogOwner',
  'sendBotMessage',
  'handToQueue',
  'finishSession',
] as const;

/** The transport, with every call on the `baton:effect` tracing channel. */
export function observeTransport<T extends Transport>(transport: T): T {
  const overrides: Partial<Record<(typeof callKinds)[number] | 'readDialogOwners', unknown>> = {};
  for (const kind of callKinds) {
    const method = transport[kind] as
      | ((chat: { portal: string; chatId: number }, options?: unknown) => Promise<TransportResult<unknown>>)
      | undefined;
    if (typeof method !== 'function') continue;
    overrides[kind] = (chat: { portal: string; chatId: number }, options?: unknown) =>
      traced(
        'effect',
        { key: { portal: chat.portal, chatId: chat.chatId }, kind },
        () => method.call(transport, chat, options),
        (result, message) => {
          message.outcome = result.ok ? { ok: true } : { ok: false, code: result.error.code };
        },
      );
  }
  const readDialogOwners = transport.readDialogOwners;
  if (typeof readDialogOwners === 'function') {
    // A grouped read is one platform call: one message, named by its first chat, listing them all.
    overrides.readDialogOwners = (chats: readonly ChatKey[], options?: CallOptions) => {
      const first = chats[0];
      if (first === undefined) return readDialogOwners.call(transport, chats, options);
      return traced(
        'effect',
        {
          key: { portal: first.portal, chatId: first.chatId },
          kind: 'readDialogOwners',
          chats: chats.map((chat) => ({ portal: chat.portal, chatId: chat.chatId })),
        },
        () => readDialogOwners.call(transport, chats, options),
        (results, message) => {
          const failed = results.find((result) => !result.ok);
          message.outcome = failed?.ok === false ? { ok: false, code: failed.error.code } : { ok: true };
        },
      );
    };
  }
  return wrap(transport, overrides as Partial<T>);
}
