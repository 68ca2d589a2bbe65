import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { callForm } from './helpers.js';

let emulator: Emulator;
afterEach(async () => {
  await emulator.close();
});

function burst(url: string, count: number) {
  return Promise.all(Array.from({ length: count }, () => callForm(url)));
}

describe('the request rate limit', () => {
  it('refuses the 51st immediate request with 503 QUERY_LIMIT_EXCEEDED and accepts again after 500 ms', async () => {
    emulator = await createEmulator();
    const webhook = emulator.createPortal().createWebhook();
    const url = `${webhook.baseUrl}imopenlines.config.list.get`;
    const answers = await burst(url, 51);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(50);
    const refused = answers.filter((answer) => answer.status === 503);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.body).toMatchObject({ error: 'QUERY_LIMIT_EXCEEDED' });
    expect((await callForm(url)).status).toBe(503);
    // One request drains every 500 ms at 2/s; a few ms of slack for timer granularity.
    await new Promise((resolve) => setTimeout(resolve, 520));
    expect((await callForm(url)).status).toBe(200);
    expect((await callForm(url)).status).toBe(503);
  });

  it('is configurable (5/250) and per portal', async () => {
    emulator = await createEmulator({ rateLimit: { ratePerSecond: 5, burst: 250 } });
    const first = emulator.createPortal().createWebhook();
    const second = emulator.createPortal().createWebhook();
    const answers = await burst(`${first.baseUrl}imopenlines.config.list.get`, 270);
    // 270 real requests take a while to arrive; the bucket drains 5/s meanwhile.
    const log = emulator.requests;
    const span = (log.at(-1)?.at ?? 0) - (log[0]?.at ?? 0);
    const accepted = answers.filter((answer) => answer.status === 200).length;
    expect(accepted).toBeGreaterThanOrEqual(250);
    expect(accepted).toBeLessThanOrEqual(250 + Math.floor((5 * span) / 1000) + 1);
    expect(answers.filter((answer) => answer.status === 503).length).toBe(270 - accepted);
    expect((await callForm(`${second.baseUrl}imopenlines.config.list.get`)).status).toBe(200);
  });

  it('can be disabled', async () => {
    emulator = await createEmulator({ rateLimit: false });
    const webhook = emulator.createPortal().createWebhook();
    const answers = await burst(`${webhook.baseUrl}imopenlines.config.list.get`, 80);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
  });

  it('records every request with a sub-millisecond arrival time, so a test can replay the bucket', async () => {
    emulator = await createEmulator();
    const portal = emulator.createPortal();
    const webhook = portal.createWebhook();
    const before = performance.timeOrigin + performance.now();
    await burst(`${webhook.baseUrl}imopenlines.config.list.get`, 52);
    const after = performance.timeOrigin + performance.now();
    const log = emulator.requests;
    expect(log).toHaveLength(52);
    for (const entry of log) {
      expect(entry.at).toBeGreaterThanOrEqual(before);
      expect(entry.at).toBeLessThanOrEqual(after);
      expect(entry).toMatchObject({
        portal: portal.memberId,
        method: 'imopenlines.config.list.get',
        auth: 'webhook',
      });
    }
    expect(log.some((entry) => !Number.isInteger(entry.at))).toBe(true);
    expect(
      log.filter((entry) => entry.error === 'QUERY_LIMIT_EXCEEDED').map((entry) => entry.status),
    ).toEqual([503, 503]);
    emulator.resetRequests();
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('the operating limit', () => {
  it('is off by default', async () => {
    emulator = await createEmulator({ rateLimit: false });
    const webhook = emulator.createPortal().createWebhook();
    const { body } = await callForm(`${webhook.baseUrl}imopenlines.config.list.get`);
    expect(body.time).toMatchObject({
      operating: expect.any(Number),
      operating_reset_at: expect.any(Number),
    });
  });

  it('answers 429 OPERATION_TIME_LIMIT for the method over budget, and only that method', async () => {
    emulator = await createEmulator({
      rateLimit: false,
      operatingLimit: { windowMs: 200, budgetMs: 30, costMs: 10 },
    });
    const portal = emulator.createPortal();
    const webhook = portal.createWebhook();
    const url = `${webhook.baseUrl}imopenlines.config.list.get`;
    const first = await callForm(url);
    expect(first.body.time).toMatchObject({ operating: 0.01 });
    await callForm(url);
    await callForm(url);
    const blocked = await callForm(url);
    expect(blocked).toMatchObject({ status: 429, body: { error: 'OPERATION_TIME_LIMIT' } });
    const other = await callForm(`${webhook.baseUrl}imopenlines.dialog.get`, { CHAT_ID: 1 });
    expect(other.status).not.toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 220));
    expect((await callForm(url)).status).toBe(200);
  });

  it("uses the platform's figures when only part of the limit is given: 480 s per method in 10 minutes", async () => {
    emulator = await createEmulator({ rateLimit: false, operatingLimit: { costMs: 100_000 } });
    const webhook = emulator.createPortal().createWebhook();
    const url = `${webhook.baseUrl}imopenlines.config.list.get`;
    const answers = [];
    for (let call = 1; call <= 5; call++) answers.push(await callForm(url));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    // 500 s used of 480 s: the sixth call is refused until the first leaves the 10-minute window.
    const firstAt = (emulator.requests[0]?.at ?? 0) / 1000;
    const resetAt = Number(answers[4]?.body.time?.operating_reset_at);
    expect(answers[4]?.body.time?.operating).toBe(500);
    expect(resetAt).toBeGreaterThanOrEqual(firstAt + 600);
    expect(resetAt).toBeLessThanOrEqual(firstAt + 602);
    expect(await callForm(url)).toMatchObject({ status: 429, body: { error: 'OPERATION_TIME_LIMIT' } });
  });
});
