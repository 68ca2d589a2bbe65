import type { CredentialStore } from './credentials.js';
import type { EventSink } from './events/dispatch.js';
import type { PortalState } from './model/types.js';

/** What portals and REST methods share with the running emulator. Internal. */
export interface Runtime extends EventSink {
  readonly credentials: CredentialStore;
  /** `http://127.0.0.1:PORT` once listening. */
  url(): string;
  /** Runs `task` in the background; `close()` and `idle()` wait for it. */
  background(task: Promise<void>): void;
  portal(memberId: string): PortalState | undefined;
  /** Emulator-wide options the session rules need. */
  readonly now: () => number;
  /** How long a transfer runs while holding the chat's lock (`EmulatorOptions.transferDurationMs`). */
  readonly transferDurationMs: number;
  /** The portal's UTC offset for the dates the platform writes (`EmulatorOptions.utcOffset`). */
  readonly utcOffset: string;
  /** A delay that `close()` cuts short. */
  sleep(ms: number): Promise<void>;
}
