import { afterEach, describe, expect, inject, it } from 'vitest';
import { startFleet } from '../helpers/oauth-fleet.js';

// Worker processes (child_process.fork) of one or two deployments, each with its own transport on
// Redis (token store and refresh lock), against the emulator over HTTP on 127.0.0.1.
const redisUrl = inject('redis').standaloneUrl;
const fleets: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close()));
});

async function fleet(lockTtlMs?: number) {
  const started = await startFleet(redisUrl as string, lockTtlMs);
  fleets.push(started);
  await started.seed('main');
  return started;
}

/** Resolves once `done` holds, looking every 10 ms for at most 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (let looks = 0; !done(); looks += 1) {
    if (looks > 500) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Calls from every worker, one after the other. */
async function callAll(
  workers: Array<{ call(chatId: number): Promise<{ ok: boolean; code?: string }> }>,
  chatId: number,
) {
  const results = [];
  for (const worker of workers) results.push(await worker.call(chatId));
  return results;
}

describe.skipIf(redisUrl === undefined)('OAuth that never loses a portal (worker processes on Redis)', () => {
  it('recovers from a lost refresh answer with the next event, failing fast in between', async () => {
    const f = await fleet();
    const workers = [await f.startWorker(), await f.startWorker(), await f.startWorker()];
    f.emulator.faults.add({ method: 'oauth.token', kind: 'reset', when: 'after', times: 1 });
    f.portal.expireAccessTokens();

    expect(await workers[0]?.call(f.chatId)).toMatchObject({ ok: false, code: 'REFRESH_OUTCOME_UNKNOWN' });
    for (let round = 0; round < 5; round += 1) {
      const results = await callAll(workers, f.chatId);
      expect(results.every((result) => result.code === 'REFRESH_TOKEN_SPENT')).toBe(true);
    }
    // The spent token was posted once more (to learn it is spent), then never again, anywhere.
    expect(f.tokenRequestsSeen()).toBe(2);
    const reports = workers.flatMap((worker) => worker.authEvents);
    expect(reports).toContainEqual({ type: 'auth.lost', reason: 'unfinished-refresh' });

    await f.nextEvent();
    const after = await callAll(workers, f.chatId);
    expect(after.every((result) => result.ok)).toBe(true);
    expect(f.tokenRequestsSeen()).toBe(2);
  });

  it('keeps rotated tokens a failing store refused, and recovers with the next event once that worker dies', async () => {
    const f = await fleet();
    const [keeper, other] = [await f.startWorker(), await f.startWorker()];
    await keeper.failWrites(true);
    f.portal.expireAccessTokens();

    // The rotation's result lives only in this worker, which keeps using it.
    expect(await keeper.call(f.chatId)).toMatchObject({ ok: true });
    expect(await keeper.call(f.chatId)).toMatchObject({ ok: true });
    expect(keeper.authEvents).toContainEqual({ type: 'auth.store-failed' });
    // The other worker holds the replaced tokens: spent, reported, and then failing fast.
    const otherResults = [await other.call(f.chatId), await other.call(f.chatId), await other.call(f.chatId)];
    expect(otherResults.map((result) => result.code)).toEqual(Array(3).fill('REFRESH_TOKEN_SPENT'));
    expect(otherResults.at(-1)?.tokenRequests).toBe(1);
    expect(other.authEvents.map((event) => event.type)).toEqual(['auth.lost']);

    await keeper.kill();
    await f.nextEvent();
    expect(await other.call(f.chatId)).toMatchObject({ ok: true });
  });

  it('recovers from a worker killed while its refresh is processed, after the dead lock lapses', async () => {
    const f = await fleet(1_000);
    const [victim, survivor] = [await f.startWorker(), await f.startWorker()];
    // The token endpoint rotates after a delay, answering a worker that is dead by then.
    const slowRefresh = f.emulator.faults.add({ method: 'oauth.token', kind: 'latency', ms: 300, times: 1 });
    f.portal.expireAccessTokens();

    void victim.call(f.chatId);
    await until(() => slowRefresh.hits === 1); // the refresh reached the token endpoint
    await victim.kill();

    // The survivor waits out the dead holder's lease, tries the token once, learns it is spent.
    expect(await survivor.call(f.chatId)).toMatchObject({ ok: false, code: 'REFRESH_TOKEN_SPENT' });
    expect(await survivor.call(f.chatId)).toMatchObject({
      ok: false,
      code: 'REFRESH_TOKEN_SPENT',
      tokenRequests: 1,
    });
    expect(survivor.authEvents).toContainEqual({ type: 'auth.lost', reason: 'unfinished-refresh' });

    await f.nextEvent();
    expect(await survivor.call(f.chatId)).toMatchObject({ ok: true, tokenRequests: 1 });
  });

  it('reports two deployments with their own stores fighting over one refresh token', async () => {
    const f = await fleet();
    await f.seed('second');
    const [first, second] = [await f.startWorker('main'), await f.startWorker('second')];
    f.portal.expireAccessTokens();

    expect(await first.call(f.chatId)).toMatchObject({ ok: true });
    expect(await second.call(f.chatId)).toMatchObject({ ok: false, code: 'REFRESH_TOKEN_SPENT' });
    expect(second.authEvents).toEqual([{ type: 'auth.lost', reason: 'spent-elsewhere' }]);
    expect(await second.call(f.chatId)).toMatchObject({ code: 'REFRESH_TOKEN_SPENT', tokenRequests: 1 });
  });
});
