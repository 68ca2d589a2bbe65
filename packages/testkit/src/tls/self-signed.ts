import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString,
  boolean,
  type Der,
  explicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  tlv,
  unsignedInteger,
  utcTime,
  utf8String,
} from './der.js';

// Node 20 can parse X.509 certificates but not build them; this builds the one kind a test
// server needs: self-signed, ECDSA P-256 with SHA-256, valid for the loopback names it serves.

/** A throw-away certificate and its private key, both PEM. */
export interface SelfSignedCertificate {
  /** The certificate: a client trusts it as its own CA (`ca` of a TLS agent). */
  readonly cert: string;
  readonly key: string;
}

const oids = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
};

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // Expand `::1`-style IPv6 into its 16 bytes.
  const [head = '', tail = ''] = address.includes('::') ? address.split('::') : [address, ''];
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.concat(
    groups.map((group) => Buffer.from(Number.parseInt(group, 16).toString(16).padStart(4, '0'), 'hex')),
  );
}

/** `subjectAltName`: `[2]` dNSName for host names, `[7]` iPAddress for addresses. */
function altNames(names: readonly string[]): Der {
  return sequence(
    ...names.map((name) =>
      isIP(name) === 0 ? tlv(0x82, Buffer.from(name, 'ascii')) : tlv(0x87, ipBytes(name)),
    ),
  );
}

function extension(oid: string, critical: boolean, value: Der): Der {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

/**
 * Makes a self-signed certificate for `names` (IP addresses and host names), valid from an hour
 * ago for `days` days. It is its own CA (`basicConstraints CA:TRUE`), so a client that is given it
 * as `ca` trusts the server without trusting anything else.
 */
export function createSelfSignedCertificate(
  names: readonly string[],
  days = 7,
  commonName = 'Baton testkit emulator',
): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const algorithm = sequence(objectIdentifier(oids.ecdsaWithSha256));
  const name = sequence(set(sequence(objectIdentifier(oids.commonName), utf8String(commonName))));
  const now = Date.now();
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + days * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension(oids.basicConstraints, true, sequence(boolean(true))),
        extension(oids.subjectAltName, false, altNames(names)),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const cert = new X509Certificate(der).toString();
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
