import type { FaultMatcher } from '../faults.js';
import type { LeakyBucket } from '../leaky-bucket.js';
import type { OperatingMeter } from '../operating-limit.js';
import type { Runtime } from '../runtime.js';
import type { ControlTarget } from './control.js';
import type { RequestRecord } from './request-log.js';

/** What the HTTP side needs from the emulator. Internal. */
export interface ServerDeps {
  readonly runtime: Runtime;
  readonly faults: FaultMatcher;
  log(entry: RequestRecord): void;
  /** The portal's request bucket; `undefined` when the rate limit is off. */
  bucket(memberId: string): LeakyBucket | undefined;
  meter(memberId: string): OperatingMeter;
  /** A delay that `close()` cuts short. */
  sleep(ms: number): Promise<void>;
  readonly accessTokenTtlMs: number;
  /** What `/_emulator/` drives. */
  readonly control: ControlTarget;
}
