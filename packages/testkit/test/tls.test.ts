import { X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { objectIdentifier, unsignedInteger, utcTime } from '../src/tls/der.js';
import { createSelfSignedCertificate } from '../src/tls/self-signed.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** POSTs JSON over HTTPS with `agent`; resolves the status and body, or rejects on a TLS error. */
function postJson(url: string, body: unknown, agent?: Agent): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const outgoing = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (response) => {
        let data = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          data += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(data) }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

describe('DER', () => {
  it('encodes object identifiers, integers and UTC times as X.509 needs them', () => {
    expect(objectIdentifier('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
    expect(unsignedInteger(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(unsignedInteger(Buffer.from([0, 0, 5])).toString('hex')).toBe('020105');
    expect(utcTime(new Date('2026-03-18T09:07:22Z')).toString('ascii', 2)).toBe('260318090722Z');
  });
});

describe('a self-signed certificate', () => {
  it('is valid now, signed by its own key, its own CA, for the loopback names', () => {
    const { cert } = createSelfSignedCertificate(['127.0.0.1', '::1', 'localhost']);
    const x509 = new X509Certificate(cert);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.ca).toBe(true);
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBe('::1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkHost('portal.bitrix24.com')).toBeUndefined();
    expect(Date.parse(x509.validFrom)).toBeLessThan(Date.now());
    expect(Date.parse(x509.validTo)).toBeGreaterThan(Date.now());
  });
});

describe('tls: true', () => {
  it('serves HTTPS with a certificate a client trusts once it is given it', async () => {
    emulator = await createEmulator({ tls: true });
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = emulator.tls?.ca ?? '';
    expect(ca).toContain('-----BEGIN CERTIFICATE-----');
    const webhook = emulator.createPortal().createWebhook();
    expect(webhook.baseUrl.startsWith(`${emulator.url}/rest/1/`)).toBe(true);

    const trusted = await postJson(`${webhook.baseUrl}server.time`, {}, new Agent({ ca }));
    expect(trusted).toMatchObject({ status: 200, body: { result: expect.any(String) } });

    // Without the certificate a client refuses the connection, as it should.
    await expect(postJson(`${webhook.baseUrl}server.time`, {}, new Agent())).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });

  it('applies faults over TLS too, and close() frees a hanging request', async () => {
    emulator = await createEmulator({ tls: true });
    const agent = new Agent({ ca: emulator.tls?.ca });
    const webhook = emulator.createPortal().createWebhook();
    emulator.faults.add({ method: 'server.time', kind: 'reset', times: 1 });
    await expect(postJson(`${webhook.baseUrl}server.time`, {}, agent)).rejects.toThrow();
    emulator.faults.add({ method: 'server.time', kind: 'hang', times: 1 });
    const hanging = postJson(`${webhook.baseUrl}server.time`, {}, agent).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await emulator.close();
    expect(await hanging).toBe('cut');
    agent.destroy();
  });

  it('makes a fresh certificate per emulator, and none without tls', async () => {
    emulator = await createEmulator({ tls: true });
    const other = await createEmulator({ tls: true });
    const plain = await createEmulator();
    expect(other.tls?.ca).not.toBe(emulator.tls?.ca);
    expect(plain.tls).toBeUndefined();
    expect(plain.url.startsWith('http://')).toBe(true);
    await other.close();
    await plain.close();
  });
});
