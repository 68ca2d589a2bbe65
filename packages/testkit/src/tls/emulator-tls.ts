import { createSelfSignedCertificate } from './self-signed.js';

/** What a client needs to trust an emulator that serves HTTPS. */
export interface EmulatorTls {
  /**
   * The emulator's self-signed certificate, PEM. It is its own CA: give it to the client as the
   * only one to trust, e.g. `new https.Agent({ ca })`, or write it to a file for
   * `NODE_EXTRA_CA_CERTS`.
   */
  readonly ca: string;
}

/** Every name a loopback client may use for the emulator, plus the host it listens on. */
export function loopbackNames(host: string): string[] {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return [...new Set(['127.0.0.1', '::1', 'localhost', bare])];
}

/** A fresh throw-away certificate for the emulator's loopback names. */
export function createEmulatorCertificate(host: string): { cert: string; key: string } {
  return createSelfSignedCertificate(loopbackNames(host));
}
