import { afterEach, describe, expect, it } from 'vitest';
import { type E2E, startE2E } from '../helpers/e2e.js';

const transferMethod = 'imopenlines.bot.session.transfer';
let e2e: E2E | undefined;

afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

/**
 * The HTTP requests one plan step costs under a failure that never ends: the transport makes one
 * attempt per call, the engine alone decides on retries, bounded by `lifecycle.maxStepRequests`
 * (5) and, for the target's own refusals, `maxTransferAttempts` (2). The bounds are documented in
 * the core README ("Requests per plan step") and this package's README ("Retries per call kind").
 */
describe('requests per plan step under a persistent failure', () => {
  it.each([
    ['OPERATOR_WRONG', { kind: 'status', status: 400, error: 'OPERATOR_WRONG' }, { transfers: 2, reads: 0 }],
    [
      'QUERY_LIMIT_EXCEEDED',
      { kind: 'status', status: 503, error: 'QUERY_LIMIT_EXCEEDED' },
      { transfers: 5, reads: 0 },
    ],
    ['a 500', { kind: 'status', status: 500, error: 'INTERNAL_SERVER_ERROR' }, { transfers: 2, reads: 2 }],
    ['a reset connection', { kind: 'reset' }, { transfers: 2, reads: 2 }],
  ] as const)(
    '%s costs at most the documented requests, then the plan moves on',
    async (_, fault, expected) => {
      e2e = await startE2E({
        engine: { lifecycle: { retryBaseDelayMs: 5, retryMaxDelayMs: 20 } },
        transport: { queryLimitPenaltyMs: 1 },
      });
      const t = e2e;
      const chat = t.newChat();
      const key = t.key(chat.chatId);
      const failed: unknown[] = [];
      t.engine.on('handoff.failed', (payload) => failed.push(payload));
      t.emulator.faults.add({ method: transferMethod, ...fault });
      const before = t.emulator.requests.length;
      await t.requestTransfer(chat.chatId, {
        plan: [
          {
            target: { kind: 'user', userId: t.operatorA.userId },
            leave: false,
            confirmationTimeoutMs: 60_000,
          },
        ],
      });
      await t.settle(async () => failed.length === 1, 10_000);
      const made = t.emulator.requests.slice(before);
      const transfers = made.filter((request) => request.method === transferMethod).length;
      const reads = made.length - transfers;
      expect({ transfers, reads }).toEqual(expected);
      expect(made.length).toBeLessThanOrEqual(5);
      expect((await t.engine.getChat(key))?.state).toBe('bot');
    },
  );
});
