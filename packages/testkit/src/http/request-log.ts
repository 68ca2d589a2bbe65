import type { FaultKind } from '../faults.js';

/** One request the emulator received, REST or OAuth. */
export interface RequestRecord {
  /** Arrival time, epoch milliseconds with sub-millisecond precision (`performance.timeOrigin + performance.now()`). */
  readonly at: number;
  /** The portal's `member_id`; `''` when the request named no known portal. */
  readonly portal: string;
  /** The method as served (`imopenlines.bot.session.transfer`), `oauth.token`, or the raw path part. */
  readonly method: string;
  /** The HTTP status answered; 0 when the connection was reset or left hanging. */
  readonly status: number;
  /** The error code answered, if any. */
  readonly error?: string;
  /** How the caller authenticated. */
  readonly auth: 'webhook' | 'oauth' | 'session' | 'none';
  /** The fault injected into this request, if any. */
  readonly fault?: FaultKind;
}
