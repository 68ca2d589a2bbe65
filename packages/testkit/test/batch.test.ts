import { afterEach, describe, expect, it } from 'vitest';
import { type Scenario, scenario } from './fixture.js';
import { callForm, callJson } from './helpers.js';

// Section 0.10: `batch` runs up to 50 calls in one request.

let s: Scenario | undefined;
afterEach(async () => {
  await s?.emulator.close();
  s = undefined;
});

type BatchResult = {
  result: Record<string, unknown> | unknown[];
  result_error: Record<string, { error: string; error_description: string }> | unknown[];
  result_total: unknown;
  result_next: unknown;
  result_time: Record<string, Record<string, unknown>> | unknown[];
};

describe('batch', () => {
  it('runs the commands in order and answers result, result_error, result_total, result_next, result_time', async () => {
    s = await scenario({ rateLimit: { ratePerSecond: 2, burst: 50 } });
    const answer = await s.asBot('batch', {
      halt: 0,
      cmd: {
        dialog: `imopenlines.dialog.get?CHAT_ID=${s.chatId}`,
        handover: `imopenlines.bot.session.transfer?CHAT_ID=${s.chatId}&USER_ID=${s.alice}&CLIENT_ID=${s.botClientId}`,
        missing: 'no.such.method',
      },
    });
    expect(answer.status).toBe(200);
    const batch = answer.body.result as BatchResult;
    expect(Object.keys(batch)).toEqual([
      'result',
      'result_error',
      'result_total',
      'result_next',
      'result_time',
    ]);
    expect(batch.result).toMatchObject({ dialog: { id: s.chatId, owner: 0 }, handover: true });
    expect(batch.result_error).toEqual({
      missing: { error: 'ERROR_METHOD_NOT_FOUND', error_description: expect.any(String) },
    });
    expect(Object.keys(batch.result_time)).toEqual(['dialog', 'handover']);
    expect((batch.result_time as Record<string, Record<string, unknown>>).dialog).toMatchObject({
      start: expect.any(Number),
      duration: expect.any(Number),
      date_start: expect.any(String),
    });
    expect(answer.body.time).toMatchObject({ start: expect.any(Number) });
    expect(s.portal.chat(s.chatId)).toMatchObject({ waitingOperatorId: s.alice });
    // One HTTP request: one entry in the log, one drop in the leaky bucket.
    expect(s.emulator.requests.filter((entry) => entry.method === 'batch')).toHaveLength(1);
    expect(s.emulator.requests).toHaveLength(1);
  });

  it("an inBatch fault fails one chat's command inside the batch, not the request nor the other commands", async () => {
    s = await scenario();
    const other = s.portal.createClientChat({ lineId: s.lineId, botId: s.botId }).chatId;
    const fault = s.emulator.faults.add({
      method: 'imopenlines.dialog.get',
      kind: 'status',
      status: 500,
      inBatch: true,
      chatId: other,
      times: 1,
    });
    const cmd = {
      first: `imopenlines.dialog.get?CHAT_ID=${s.chatId}`,
      second: `imopenlines.dialog.get?CHAT_ID=${other}`,
    };
    const answer = await s.asBot('batch', { halt: 0, cmd });
    expect(answer.status).toBe(200);
    const batch = answer.body.result as BatchResult;
    expect(batch.result).toMatchObject({ first: { id: s.chatId, owner: 0 } });
    expect(batch.result_error).toEqual({
      second: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Injected fault: INTERNAL_SERVER_ERROR' },
    });
    expect(fault.hits).toBe(1);
    // Used up: the next batch reads both; a direct call of the method was never affected.
    const again = (await s.asBot('batch', { halt: 0, cmd })).body.result as BatchResult;
    expect(again.result_error).toEqual([]);
    expect(s.emulator.faults.list).toEqual([]);
    expect(() => s?.emulator.faults.add({ kind: 'reset', inBatch: true })).toThrow(/inBatch/);
  });

  it('stops at the first error with halt, and answers [] for an empty part', async () => {
    s = await scenario();
    const answer = await s.asBot('batch', {
      halt: 1,
      cmd: {
        first: 'imopenlines.dialog.get?CHAT_ID=0',
        second: `imopenlines.dialog.get?CHAT_ID=${s.chatId}`,
      },
    });
    const batch = answer.body.result as BatchResult;
    expect(batch.result).toEqual([]);
    expect(Object.keys(batch.result_error)).toEqual(['first']);
    expect(batch.result_time).toEqual([]);
  });

  it('answers lists for a cmd sent as a JSON list, as PHP encodes arrays keyed 0, 1, …', async () => {
    s = await scenario();
    const url = `${s.portal.createWebhook().baseUrl}batch`;
    const cmd = [
      `imopenlines.dialog.get?CHAT_ID=${s.chatId}`,
      'imopenlines.config.list.get?',
      `imopenlines.dialog.get?CHAT_ID=${s.chatId}`,
    ];
    const ok = (await callJson(url, { halt: 0, cmd })).body.result as BatchResult;
    expect(ok.result).toEqual([
      expect.objectContaining({ id: s.chatId }),
      expect.any(Array),
      expect.any(Object),
    ]);
    expect(ok.result_error).toEqual([]);
    expect(ok.result_time).toEqual([expect.any(Object), expect.any(Object), expect.any(Object)]);
    expect((ok.result_time as Record<string, unknown>[])[0]).toMatchObject({
      date_start: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/),
    });

    // A gap (the middle call failed) makes an object keyed by index, as in PHP.
    const gap = (await callJson(url, { halt: 0, cmd: [cmd[0], 'imopenlines.dialog.get?CHAT_ID=0', cmd[2]] }))
      .body.result as BatchResult;
    expect(Object.keys(gap.result)).toEqual(['0', '2']);
    expect(Array.isArray(gap.result)).toBe(false);
    expect(gap.result_error).toEqual({ 1: expect.objectContaining({ error: expect.any(String) }) });

    // The same list as a PHP-style form: cmd[0]=…&cmd[1]=…
    const form = (await callForm(url, { cmd: { 0: cmd[0], 1: cmd[1] } })).body.result as BatchResult;
    expect(form.result).toEqual([expect.objectContaining({ id: s.chatId }), expect.any(Array)]);
  });

  it('passes earlier results on with $result[name][field]', async () => {
    s = await scenario();
    const answer = await s.asBot('batch', {
      cmd: {
        dialog: `imopenlines.dialog.get?CHAT_ID=${s.chatId}`,
        again: 'imopenlines.dialog.get?CHAT_ID=$result[dialog][id]',
      },
    });
    expect((answer.body.result as BatchResult).result).toMatchObject({ again: { id: s.chatId } });
  });

  it('refuses more than 50 commands and a batch inside a batch', async () => {
    s = await scenario();
    const cmd = Object.fromEntries(
      Array.from({ length: 51 }, (_, index) => [`c${index}`, `imopenlines.dialog.get?CHAT_ID=${s?.chatId}`]),
    );
    const tooMany = await s.asBot('batch', { cmd });
    expect(tooMany).toMatchObject({ status: 400, body: { error: 'ERROR_BATCH_LENGTH_EXCEEDED' } });
    const nested = await s.asBot('batch', { cmd: { inner: 'batch?cmd[x]=imopenlines.config.list.get' } });
    expect((nested.body.result as BatchResult).result_error).toMatchObject({
      inner: { error: 'ERROR_METHOD_NOT_FOUND' },
    });
  });

  it('charges each inner call to the operating limit of its own method, not the batch', async () => {
    s = await scenario({ rateLimit: false, operatingLimit: { budgetMs: 1000, costMs: 600 } });
    const cmd = {
      one: `imopenlines.dialog.get?CHAT_ID=${s.chatId}`,
      two: `imopenlines.dialog.get?CHAT_ID=${s.chatId}`,
    };
    const first = (await s.asBot('batch', { cmd })).body.result as BatchResult;
    expect(Object.keys(first.result)).toEqual(['one', 'two']);
    const second = (await s.asBot('batch', { cmd })).body.result as BatchResult;
    expect(second.result_error).toMatchObject({ one: { error: 'OPERATION_TIME_LIMIT' } });
    // The batch itself is not blocked, nor is another method.
    const other = await s.asBot('batch', { cmd: { lines: 'imopenlines.config.list.get' } });
    expect((other.body.result as BatchResult).result).toMatchObject({ lines: expect.any(Array) });
    const direct = await callForm(`${s.portal.createWebhook().baseUrl}imopenlines.dialog.get`, {
      CHAT_ID: s.chatId,
    });
    expect(direct).toMatchObject({ status: 429, body: { error: 'OPERATION_TIME_LIMIT' } });
  });
});
