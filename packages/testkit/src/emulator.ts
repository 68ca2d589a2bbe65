import { setMaxListeners } from 'node:events';
import { createCounter } from './clock.js';
import { createCredentialStore } from './credentials.js';
import { parseInput, TestkitError } from './errors.js';
import type { DeliveryRecord } from './events/dispatch.js';
import { createFaultRegistry, type FaultRegistry } from './faults.js';
import type { ServerDeps } from './http/deps.js';
import type { RequestRecord } from './http/request-log.js';
import { listen } from './http/server.js';
import { createLeakyBucket, type LeakyBucket } from './leaky-bucket.js';
import { assertLoopbackHost, hostForUrl } from './loopback.js';
import { createPortalIds } from './model/ids.js';
import { createPortalState } from './model/portal-state.js';
import type { PortalState } from './model/types.js';
import { createOperatingMeter, type OperatingMeter } from './operating-limit.js';
import { type EmulatorOptions, emulatorOptionsSchema, resolveOptions } from './options.js';
import { createPortal } from './portal.js';
import { type PortalOptions, portalOptionsSchema } from './portal-options.js';
import type { Portal } from './portal-types.js';
import type { Runtime } from './runtime.js';
import { createEmulatorCertificate, type EmulatorTls } from './tls/emulator-tls.js';

/** A running Bitrix24 portal emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with `tls: true` */
  readonly url: string;
  /** With `tls: true`: the certificate a client must trust; `undefined` for plain HTTP. */
  readonly tls: EmulatorTls | undefined;
  /** Adds a portal with its own users, bots, lines, chats, credentials and rate-limit bucket. */
  createPortal(options?: PortalOptions): Portal;
  /** A portal created earlier, by `member_id`. */
  portal(memberId: string): Portal | undefined;
  /** Every request received since the start or the last `resetRequests()`, in arrival order. */
  readonly requests: readonly RequestRecord[];
  resetRequests(): void;
  /** Every event sent (or queued for fetch mode) since the start or the last `resetDeliveries()`. */
  readonly deliveries: readonly DeliveryRecord[];
  resetDeliveries(): void;
  /** Fault injection, per method or global. */
  readonly faults: FaultRegistry;
  /** Resolves once every background event delivery (e.g. `ONIMBOTJOINCHAT`) has finished. */
  idle(): Promise<void>;
  /** Destroys open connections (hanging ones too), stops timers and deliveries. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts an emulator on loopback.
 *
 * @example
 * ```ts
 * const emulator = await createEmulator();
 * const portal = emulator.createPortal();
 * const webhook = portal.createWebhook();
 * const response = await fetch(`${webhook.baseUrl}imopenlines.dialog.get.json`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ CHAT_ID: 101 }),
 * });
 * await emulator.close();
 * ```
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = resolveOptions(parseInput(emulatorOptionsSchema, options, 'emulator options'));
  assertLoopbackHost(resolved.host);

  const states = new Map<string, PortalState>();
  const facades = new Map<string, Portal>();
  const buckets = new Map<string, LeakyBucket>();
  const meters = new Map<string, OperatingMeter>();
  const requests: RequestRecord[] = [];
  const deliveries: DeliveryRecord[] = [];
  const faults = createFaultRegistry();
  const credentials = createCredentialStore(resolved.accessTokenTtlMs);
  const shutdown = new AbortController();
  // Every in-flight event delivery listens for shutdown; a burst of them is not a leak.
  setMaxListeners(0, shutdown.signal);
  const inFlight = new Set<Promise<void>>();
  const timers = new Map<NodeJS.Timeout, () => void>();
  const portalIds = createCounter(1);
  let url = '';
  let closed = false;

  /** A delay that `close()` cuts short. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });

  const runtime: Runtime = {
    sleep,
    transferDurationMs: resolved.transferDurationMs,
    credentials,
    faults,
    deliveries,
    signal: shutdown.signal,
    timeoutMs: resolved.eventTimeoutMs,
    connectorUserType: resolved.connectorUserType,
    utcOffset: resolved.utcOffset,
    now: () => Date.now(),
    url: () => url,
    clientEndpoint: () => `${url}/rest/`,
    portal: (memberId) => states.get(memberId),
    background(task) {
      const tracked = task.catch(() => undefined).finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    },
  };

  const deps: ServerDeps = {
    runtime,
    faults,
    accessTokenTtlMs: resolved.accessTokenTtlMs,
    log: (entry) => requests.push(entry),
    control: {
      portal: (memberId) => facades.get(memberId),
      requests: () => requests,
      deliveries: () => deliveries,
    },
    bucket(memberId) {
      if (resolved.rateLimit === false) return undefined;
      let bucket = buckets.get(memberId);
      if (bucket === undefined) {
        bucket = createLeakyBucket(resolved.rateLimit);
        buckets.set(memberId, bucket);
      }
      return bucket;
    },
    meter(memberId) {
      let meter = meters.get(memberId);
      if (meter === undefined) {
        meter = createOperatingMeter(resolved.operatingLimit);
        meters.set(memberId, meter);
      }
      return meter;
    },
    sleep,
  };

  const identity = resolved.tls ? createEmulatorCertificate(resolved.host) : undefined;
  const server = await listen(deps, resolved.host, resolved.port, identity);
  url = `${identity === undefined ? 'http' : 'https'}://${hostForUrl(resolved.host)}:${server.port}`;
  const tls: EmulatorTls | undefined = identity === undefined ? undefined : { ca: identity.cert };

  const idle = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };

  return {
    url,
    tls,
    createPortal(portalOptions = {}) {
      if (closed) throw new TestkitError('CLOSED', 'The emulator is closed');
      const parsed = parseInput(portalOptionsSchema, portalOptions, 'portal options');
      const n = portalIds.next();
      const memberId = parsed.memberId ?? `member-${n}`;
      if (states.has(memberId)) throw new TestkitError('INVALID_INPUT', `Portal ${memberId} already exists`);
      const state = createPortalState(
        memberId,
        parsed.domain ?? `portal${n}.bitrix24.test`,
        parsed.applicationToken ?? `apptoken-${n}`,
        createPortalIds(resolved.ids, n),
      );
      const portal = createPortal(runtime, state);
      states.set(memberId, state);
      facades.set(memberId, portal);
      return portal;
    },
    portal: (memberId) => facades.get(memberId),
    get requests() {
      return [...requests];
    },
    resetRequests() {
      requests.length = 0;
    },
    get deliveries() {
      return [...deliveries];
    },
    resetDeliveries() {
      deliveries.length = 0;
    },
    faults,
    idle,
    async close() {
      if (closed) return;
      closed = true;
      shutdown.abort();
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
      await server.close();
      await idle();
    },
  };
}
