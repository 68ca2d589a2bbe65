/**
 * Operator capacity across workers: 4 worker processes on one Redis (standalone, then the
 * Cluster) route transfer requests with least-busy over 3 operators, each allowed 2 chats. Many
 * requests arrive at once, so workers race for the same operators: the commit that offers a chat
 * checks the operator's busy count atomically, so nobody is ever offered a third chat. The
 * emulator's own record of every chat's transfers is the judge; at the end the counts equal the
 * chats held, and `repairBusyCounts` finds nothing to change.
 */
import { randomInt } from 'node:crypto';
import type { RedisStore } from '@baton/store-redis';
import type { Portal } from '@baton/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { dispatchOk, openStage, type Stage, sendAll } from './harness/scenario.js';
import type { WorkerHandle } from './harness/workers.js';
import { addChats, openInspector, redisFor, report, waitFor } from './harness/world.js';

const maxChats = 2;
const chatCount = 24;
const workerCount = 4;

interface ChatContextView {
  readonly skips: readonly { readonly step: number; readonly reason: string }[];
  readonly lastError: { code: string } | null;
}

describe.each(['standalone', 'cluster'] as const)('operator capacity across workers (%s)', (target) => {
  let stage: Stage | undefined;
  let inspector: { store: RedisStore; close(): Promise<void> } | undefined;
  afterEach(async () => {
    await inspector?.close();
    inspector = undefined;
    await stage?.close();
    stage = undefined;
  });

  const redis = redisFor(target);
  test.skipIf(redis === undefined)(
    `${workerCount} workers, ${chatCount} chats at once, least-busy over 3 operators with maxChats ${maxChats}`,
    { timeout: 120_000 },
    async () => {
      const settings = redis as NonNullable<typeof redis>;
      stage = await openStage({ redis: settings, portals: 1, limit: false });
      const portal = stage.portals[0] as (typeof stage.portals)[number];
      const platform = stage.emulator.portal(portal.memberId) as Portal;
      const operators = [
        platform.createOperator({ name: 'Anna' }).userId,
        platform.createOperator({ name: 'Boris' }).userId,
        platform.createOperator({ name: 'Vera' }).userId,
      ];
      const chats = addChats(stage.emulator, portal, chatCount);
      const fleet = await stage.startWorkers(workerCount, {
        routing: { pool: operators, maxChats, leave: true },
      });
      inspector = openInspector(settings, stage.prefix);
      const store = inspector.store;
      const anyWorker = () => fleet[randomInt(fleet.length)] as WorkerHandle;
      const request = (chatId: number, round: string) => ({
        type: 'transfer.request',
        id: `handover-${round}-${chatId}`,
        portal: portal.memberId,
        chatId,
        reason: 'client asked for a person',
      });
      const stateOf = async (chatId: number) =>
        (await store.readChat({ portal: portal.memberId, chatId }))?.summary.state ?? 'missing';
      /** Transfers the platform received per operator, from its own record of each chat. */
      const transfersTo = () => {
        const counts = new Map(operators.map((id) => [id, 0]));
        for (const chatId of chats) {
          for (const transfer of platform.chat(chatId).transfers) {
            if ('userId' in transfer.to)
              counts.set(transfer.to.userId, (counts.get(transfer.to.userId) ?? 0) + 1);
          }
        }
        return operators.map((id) => counts.get(id) ?? 0);
      };
      /** Chats the platform has with each operator now (offered or answered, not finished). */
      const heldOnPlatform = () =>
        operators.map(
          (id) =>
            chats.filter((chatId) => {
              const chat = platform.chat(chatId);
              return chat.state !== 'finished' && chat.sessionOperatorId === id;
            }).length,
        );
      const busyCounts = async () => {
        const counts = await store.readBusy(portal.memberId, operators);
        return operators.map((id) => counts.get(id) ?? -1);
      };
      const handedOver = async (expected: number) => {
        const states = await Promise.all(chats.map(stateOf));
        return states.filter((state) => state === 'operator').length === expected;
      };

      // Round 1: every chat asks at once, spread over the workers.
      await sendAll(chats, chatCount, (chatId, index) =>
        dispatchOk(fleet[index % workerCount] as WorkerHandle, request(chatId, 'r1')),
      );
      expect(await waitFor(() => handedOver(operators.length * maxChats), 30_000, 200)).toBe(true);
      const firstRound = transfersTo();
      expect(firstRound).toEqual([maxChats, maxChats, maxChats]);
      expect(heldOnPlatform()).toEqual([maxChats, maxChats, maxChats]);
      expect(await busyCounts()).toEqual([maxChats, maxChats, maxChats]);
      const leftWithBot: number[] = [];
      let racedRouting = 0;
      for (const chatId of chats) {
        if ((await stateOf(chatId)) !== 'bot') continue;
        leftWithBot.push(chatId);
        const chat = await store.readChat({ portal: portal.memberId, chatId });
        const context = (chat?.snapshot as { context: ChatContextView } | undefined)?.context;
        // Every step of its plan was refused for capacity by the commit, and nobody was called:
        // routing keeps a full pool in the plan, and a plan shorter than the pool was routed while
        // another worker's offer was on its way.
        const reasons = context?.skips.map((skip) => skip.reason) ?? [];
        expect(reasons.length).toBeGreaterThanOrEqual(1);
        expect(reasons.every((reason) => reason === 'at-capacity')).toBe(true);
        if (reasons.length < operators.length) racedRouting += 1;
        expect(context?.lastError?.code).toBe('NO_ONE_AVAILABLE');
        expect(platform.chat(chatId).transfers).toEqual([]);
      }
      expect(leftWithBot).toHaveLength(chatCount - operators.length * maxChats);

      // Each operator finishes one chat: the platform says so, and the counts drop in that commit.
      const finished: number[] = [];
      for (const operatorId of operators) {
        const chatId = chats.find(
          (id) =>
            platform.chat(id).sessionOperatorId === operatorId && platform.chat(id).state !== 'finished',
        ) as number;
        await platform.operatorFinishes(chatId, operatorId);
        await dispatchOk(anyWorker(), {
          type: 'session.finished',
          id: `finished-${chatId}`,
          portal: portal.memberId,
          chatId,
        });
        finished.push(chatId);
      }
      expect(await busyCounts()).toEqual([maxChats - 1, maxChats - 1, maxChats - 1]);

      // Round 2: the chats the bot kept ask again, at once: one place per operator is free.
      await sendAll(leftWithBot, leftWithBot.length, (chatId, index) =>
        dispatchOk(fleet[index % workerCount] as WorkerHandle, request(chatId, 'r2')),
      );
      expect(await waitFor(() => handedOver(operators.length * maxChats), 30_000, 200)).toBe(true);
      const secondRound = transfersTo().map((total, index) => total - (firstRound[index] as number));
      // Nobody above the limit at any time: in round 1 nobody was released, in round 2 one chat
      // each had been finished before any request came.
      expect(secondRound).toEqual([1, 1, 1]);
      expect(heldOnPlatform()).toEqual([maxChats, maxChats, maxChats]);
      expect(await busyCounts()).toEqual([maxChats, maxChats, maxChats]);
      expect(await store.repairBusyCounts(portal.memberId)).toEqual({ chats: chatCount, corrected: [] });
      report(`capacity (${target})`, {
        workers: workerCount,
        chats: chatCount,
        firstRound,
        secondRound,
        finished: finished.length,
        plansRoutedBeforeARacingOffer: racedRouting,
      });
    },
  );
});
