import { isIP } from 'node:net';
import { TestkitError } from './errors.js';

/**
 * Whether `host` only reaches this machine: `localhost`, an IPv4 address in `127.0.0.0/8`, or
 * `::1`. The emulator refuses anything else so that a test can never expose it on a network.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  const family = isIP(bare);
  if (family === 4) return bare.split('.')[0] === '127';
  if (family === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** Throws `NON_LOOPBACK_HOST` unless `host` is a loopback host. */
export function assertLoopbackHost(host: string): void {
  if (!isLoopbackHost(host)) {
    throw new TestkitError(
      'NON_LOOPBACK_HOST',
      `The emulator only listens on loopback (127.0.0.0/8, ::1, localhost); refused host "${host}"`,
    );
  }
}

/** The URL form of a host: IPv6 literals need brackets. */
export function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
