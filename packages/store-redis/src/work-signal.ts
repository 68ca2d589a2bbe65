import { randomUUID } from 'node:crypto';
import type { OnWork, WorkHint } from '@baton/core/adapter';
import type { Cluster, Redis } from 'ioredis';
import type { Connection } from './connection.js';
import type { KeySpace } from './keys.js';
import type { PortalRegistry } from './portal-registry.js';

/**
 * Work hints: when outbox entries or timers may be claimed. Commits announce theirs on a pub/sub
 * channel (the commit script publishes, so a hint costs no round trip); this store's own commits
 * and claims tell its listeners directly. An idle engine waits for hints instead of scanning, and
 * sweeps now and then in case one was lost (pub/sub delivers at most once).
 */
export interface WorkSignal {
  /** This store instance's id in announcements, so that it skips its own. */
  readonly id: string;
  readonly onWork: OnWork;
  /** Tells this store's listeners (its own commits and claims). */
  tell(hint: WorkHint): void;
  close(): Promise<void>;
}

export function createWorkSignal(
  connection: Connection,
  keys: KeySpace,
  portals: PortalRegistry,
): WorkSignal {
  const id = randomUUID();
  const listeners = new Set<(hint: WorkHint) => void>();
  let subscriber: Redis | Cluster | undefined;

  function tell(hint: WorkHint): void {
    for (const listener of listeners) {
      try {
        listener(hint);
      } catch (error) {
        connection.report(error);
      }
    }
  }

  /** `<store id>\t<outbox in ms or ''>\t<first timer in ms or ''>\t<portal>`. */
  function heard(message: string): void {
    const [from, outboxIn, timersIn, ...rest] = message.split('\t');
    if (from === id || rest.length === 0) return;
    portals.note(rest.join('\t'));
    if (outboxIn !== undefined && outboxIn !== '') tell({ kind: 'outbox', inMs: Number(outboxIn) });
    if (timersIn !== undefined && timersIn !== '') tell({ kind: 'timers', inMs: Number(timersIn) });
  }

  function listen(): void {
    const client = connection.duplicate('work hints');
    subscriber = client;
    client.on('message', (_channel: string, message: string) => heard(message));
    client.subscribe(keys.workChannel).catch((error: unknown) => connection.report(error));
  }

  async function stopListening(): Promise<void> {
    const client = subscriber;
    subscriber = undefined;
    if (client === undefined) return;
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  }

  return {
    id,
    onWork(listener) {
      connection.assertOpen('onWork');
      listeners.add(listener);
      if (subscriber === undefined) listen();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) void stopListening();
      };
    },
    tell,
    close: stopListening,
  };
}
