import { request } from 'node:http';
import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { scenario } from './fixture.js';
import { callForm } from './helpers.js';

let emulator: Emulator;
afterEach(async () => {
  await emulator.close();
});

async function webhookUrl(method: string) {
  emulator = await createEmulator({ rateLimit: false });
  const portal = emulator.createPortal();
  return { url: `${portal.createWebhook().baseUrl}${method}`, portal };
}

describe('fault injection', () => {
  it('status: answers the injected status and code, `times` times, for that method only', async () => {
    const { url } = await webhookUrl('imopenlines.config.list.get');
    const fault = emulator.faults.add({
      kind: 'status',
      status: 502,
      method: 'imopenlines.config.list.get',
      times: 2,
    });
    expect(await callForm(url)).toMatchObject({ status: 502, body: { error: 'BAD_GATEWAY' } });
    expect((await callForm(url.replace('config.list.get', 'dialog.get'), { CHAT_ID: 1 })).status).not.toBe(
      502,
    );
    expect((await callForm(url)).status).toBe(502);
    expect((await callForm(url)).status).toBe(200);
    expect(fault.hits).toBe(2);
    expect(emulator.faults.list).toHaveLength(0);
    expect(emulator.requests.filter((entry) => entry.fault === 'status')).toHaveLength(2);
  });

  it('status: defaults to 500 INTERNAL_SERVER_ERROR; a custom code is kept', async () => {
    const { url } = await webhookUrl('imopenlines.config.list.get');
    const fault = emulator.faults.add({ kind: 'status' });
    expect(await callForm(url)).toMatchObject({ status: 500, body: { error: 'INTERNAL_SERVER_ERROR' } });
    fault.remove();
    emulator.faults.add({ kind: 'status', status: 503, error: 'OVERLOAD_LIMIT' });
    expect(await callForm(url)).toMatchObject({ status: 503, body: { error: 'OVERLOAD_LIMIT' } });
    emulator.faults.clear();
    expect((await callForm(url)).status).toBe(200);
  });

  it('latency: delays the answer by at least ms', async () => {
    const { url } = await webhookUrl('imopenlines.config.list.get');
    emulator.faults.add({ kind: 'latency', ms: 80, times: 1 });
    const started = performance.now();
    expect((await callForm(url)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('html: answers an HTML page instead of JSON', async () => {
    const { url } = await webhookUrl('imopenlines.config.list.get');
    emulator.faults.add({ kind: 'html', times: 1 });
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('<html');
  });

  it('reset: the connection closes without an answer', async () => {
    const { url } = await webhookUrl('imopenlines.config.list.get');
    emulator.faults.add({ kind: 'reset', times: 1 });
    await expect(fetch(url)).rejects.toThrow();
    expect((await callForm(url)).status).toBe(200);
  });

  it('hang: never answers; the client times out, and close() frees the socket at once', async () => {
    const { url } = await webhookUrl('imopenlines.config.list.get');
    emulator.faults.add({ kind: 'hang' });
    await expect(fetch(url, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const closedByServer = new Promise<string>((resolve) => {
      const req = request(url, { agent: false }, () => resolve('answered'));
      req.on('error', (error) => resolve(error.message));
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await emulator.close();
    expect(await closedByServer).toMatch(/socket hang up|ECONNRESET/);
  });

  it("when 'after': the method takes effect but the answer is lost", async () => {
    const s = await scenario();
    emulator = s.emulator;
    emulator.faults.add({
      kind: 'status',
      status: 500,
      when: 'after',
      method: 'imopenlines.bot.session.transfer',
    });
    const answer = await s.asBot('imopenlines.bot.session.transfer', {
      CHAT_ID: s.chatId,
      USER_ID: s.alice,
      LEAVE: 'Y',
    });
    expect(answer.status).toBe(500);
    expect(s.portal.chat(s.chatId)).toMatchObject({ botPresent: false, waitingOperatorId: s.alice });
  });

  it('can target one portal', async () => {
    const { url, portal } = await webhookUrl('imopenlines.config.list.get');
    const other = emulator.createPortal().createWebhook().baseUrl;
    emulator.faults.add({ kind: 'status', portal: portal.memberId });
    expect((await callForm(url)).status).toBe(500);
    expect((await callForm(`${other}imopenlines.config.list.get`)).status).toBe(200);
  });

  it('refuses an invalid fault with a coded error', async () => {
    await webhookUrl('imopenlines.config.list.get');
    expect(() => emulator.faults.add({ kind: 'explode' as 'status' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
