import type { Connection } from './connection.js';
import { asRedisFailure } from './errors.js';
import type { KeySpace } from './keys.js';
import type { PortalRegistry } from './portal-registry.js';
import type { WorkSignal } from './work-signal.js';

/** What every part of the store shares: the connection, the key space and the settings. */
export interface StoreContext {
  readonly connection: Connection;
  readonly keys: KeySpace;
  readonly dedupeTtlMs: number;
  /** How many recent commits each chat keeps for `readChat` (0: none). */
  readonly historyLength: number;
  readonly portals: PortalRegistry;
  readonly work: WorkSignal;
  /** Lifecycle state name → how long (ms) a chat resting in it is kept; empty = forever. */
  readonly retention: ReadonlyMap<string, number>;
  /** `retention` as JSON, for the scripts that read it (`{}` when empty). */
  readonly retentionJson: string;
}

/** Runs a Redis operation, turning any failure into a coded `RedisStoreError`. */
export async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asRedisFailure(error, operation);
  }
}
