import type { Connection } from './connection.js';
import type { KeySpace } from './keys.js';

/** How long a worker trusts its list of portals before it reads the set again. */
const refreshEveryMs = 5_000;

/**
 * The portals a deployment serves. Claims and inspection walk the portals' own indexes, so they
 * need the list: a set in Redis that every store adds a portal to before its first commit there,
 * read again every few seconds, and told of new portals at once by work hints.
 */
export interface PortalRegistry {
  /** Adds the portal to the set, once per store instance, before its first commit there. */
  ensure(portal: string): Promise<void>;
  /** Every portal known: the set as last read (at most `refreshEveryMs` ago), plus those noted since. */
  list(): Promise<readonly string[]>;
  /** Notes a portal heard of from another worker (a work hint), until the next read. */
  note(portal: string): void;
}

export function createPortalRegistry(connection: Connection, keys: KeySpace): PortalRegistry {
  const added = new Set<string>();
  let known = new Set<string>();
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;

  async function read(): Promise<void> {
    const members = await connection.client.smembers(keys.portals);
    known = new Set([...members, ...added]);
    readAt = Date.now();
  }

  return {
    async ensure(portal) {
      if (added.has(portal)) return;
      await connection.client.sadd(keys.portals, portal);
      added.add(portal);
      known.add(portal);
    },
    async list() {
      if (Date.now() - readAt >= refreshEveryMs) {
        reading ??= read().finally(() => {
          reading = undefined;
        });
        await reading;
      }
      return [...known];
    },
    note(portal) {
      known.add(portal);
    },
  };
}
