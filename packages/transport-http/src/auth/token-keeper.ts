import { setTimeout as sleep } from 'node:timers/promises';
import { type AuthEventListener, emitAuthEvent } from './auth-events.js';
import { type OAuthTokenStore, type OAuthTokens, replaceTokens } from './token-store.js';

/** Delays between writes of rotated tokens the store refused: fast at first, then every 30 s. */
const retryDelaysMs = [0, 50, 250, 1_000, 5_000, 30_000] as const;

interface Unsaved {
  readonly tokens: OAuthTokens;
  /** The refresh token the new tokens replace: what the store still holds until the write lands. */
  readonly replaces: string;
}

/**
 * Keeps a rotation's result until the token store has it: the new refresh token exists nowhere
 * else, so it is held in memory, used for this process's calls even while the store fails, and
 * written with retries until it lands or the store moves on to other tokens.
 */
export function createTokenKeeper(store: OAuthTokenStore, onAuthEvent: AuthEventListener | undefined) {
  const unsaved = new Map<string, Unsaved>();
  let closed = false;

  /** One write; `true` when the store has these tokens or moved on to others (nothing left to do). */
  async function writeOnce(portal: string, entry: Unsaved, attempt: number): Promise<boolean> {
    if (unsaved.get(portal) !== entry) return true;
    try {
      await replaceTokens(store, portal, entry.replaces, entry.tokens);
      // Written, or the store moved on (an event's tokens, a reinstall): either way it is newer.
      if (unsaved.get(portal) === entry) unsaved.delete(portal);
      return true;
    } catch (error) {
      emitAuthEvent(onAuthEvent, { type: 'auth.store-failed', portal, attempt, error });
      return false;
    }
  }

  async function keepWriting(portal: string, entry: Unsaved): Promise<void> {
    for (let attempt = 2; !closed; attempt += 1) {
      const delay = retryDelaysMs[Math.min(attempt - 1, retryDelaysMs.length - 1)] ?? 30_000;
      await sleep(delay, undefined, { ref: false });
      if (closed || (await writeOnce(portal, entry, attempt))) return;
    }
  }

  return {
    /**
     * The tokens to use now: the store's, or this process's unsaved rotation while the store still
     * holds the tokens it replaces (or cannot be read).
     */
    async read(portal: string): Promise<OAuthTokens | undefined> {
      const entry = unsaved.get(portal);
      let stored: OAuthTokens | undefined;
      try {
        stored = await store.get(portal);
      } catch (error) {
        if (entry) return entry.tokens;
        throw error;
      }
      if (!entry) return stored;
      if (stored?.refreshToken === entry.replaces) return entry.tokens;
      unsaved.delete(portal); // the store has them, or newer ones
      return stored;
    },

    /**
     * Keeps `tokens` (which replace `replaces`) and writes them; resolves after the first write,
     * whatever its outcome, and goes on retrying in the background if it failed.
     */
    async save(portal: string, tokens: OAuthTokens, replaces: string): Promise<void> {
      const entry: Unsaved = { tokens, replaces };
      unsaved.set(portal, entry);
      if (!(await writeOnce(portal, entry, 1))) void keepWriting(portal, entry);
    },

    /** Stops the background writes (unsaved tokens are then lost with the process). */
    close(): void {
      closed = true;
    },
  };
}

/** The keeper's shape. */
export type TokenKeeper = ReturnType<typeof createTokenKeeper>;
