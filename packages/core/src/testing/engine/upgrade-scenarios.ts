import { describe, expect, it } from 'vitest';
import type { ChatKey } from '../../chat-key.js';
import { isBatonError } from '../../errors.js';
import type { ConformanceHarness } from '../harness.js';
import { type EngineFixture, type EngineStore, toUser, useEngineFixture } from './fixture.js';
import { chatSchemaV1 } from './fixtures/chat-schema-v1.js';

/** Writes a chat as some other worker (an older or newer version, or a damaged one) left it. */
async function writeRaw(
  f: EngineFixture,
  key: ChatKey,
  snapshot: unknown,
  extra: { timer?: { id: string; delayMs: number }; effect?: string } = {},
): Promise<void> {
  const result = await f.store.commit({
    key,
    expectedVersion: 0,
    snapshot,
    summary: { state: 'awaitingOperator', stateSince: f.clock.now() },
    eventId: `raw-write-${key.chatId}`,
    effects:
      extra.effect === undefined
        ? []
        : [
            {
              id: extra.effect,
              key,
              call: { kind: 'transfer', target: { kind: 'queue', queueId: 12 }, leave: false },
            },
          ],
    timersToSet: extra.timer === undefined ? [] : [{ id: extra.timer.id, key, delayMs: extra.timer.delayMs }],
    timersToCancel: [],
  });
  expect(result).toEqual({ status: 'committed', version: 1 });
}

const countOf = (f: EngineFixture, name: string) => f.seen.filter(([seen]) => seen === name).length;

/** A chat whose context holds a field of the wrong type (a manual edit, a bug of an old version). */
const corruptSnapshot = (key: ChatKey) => ({
  schemaVersion: 2,
  value: 'awaitingOperator',
  context: { portal: key.portal, chatId: key.chatId, session: 'one', confirmationTimer: 'confirm:1.3' },
});

/** Upgrades with chats in flight: older snapshots migrate, newer ones are left alone, broken ones reset. */
export function upgradeScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe('snapshots across versions', () => {
    const fixture = useEngineFixture(harness);

    it('a chat written by the previous schema version migrates on load and its timer goes on', async () => {
      const f = fixture();
      const { key, snapshot, timer } = chatSchemaV1;
      await writeRaw(f, key, snapshot, { timer });
      const chat = await f.engine.getChat(key);
      expect(chat).toMatchObject({ state: 'awaitingOperator', version: 1 });
      expect(chat?.context).toMatchObject({ confirmationTimer: 'confirm:1.3', resets: [], waitTicks: 0 });
      f.clock.advance(timer.delayMs);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer').map((call) => call.request.target)).toEqual([
        { kind: 'queue', queueId: 12 },
      ]);
      expect(await f.store.load(key)).toMatchObject({
        version: 3,
        snapshot: { schemaVersion: 2, value: 'awaitingOperator', context: { step: 1 } },
      });
    });

    it('applies a migration given in the options', async () => {
      const f = fixture();
      const engine = f.anotherEngine({
        migrations: [
          {
            from: 1,
            migrate: (chat) => ({
              ...chat,
              context: {
                ...(chat.context as object),
                reason: 'migrated',
                resets: [],
                waitingMessages: [],
                waitTimer: null,
                waitTicks: 0,
                greetedStep: -1,
                skips: [],
              },
            }),
          },
        ],
      });
      await writeRaw(f, chatSchemaV1.key, chatSchemaV1.snapshot);
      expect((await engine.getChat(chatSchemaV1.key))?.context.reason).toBe('migrated');
      expect((await f.engine.getChat(chatSchemaV1.key))?.context.reason).toBe('client asked for a person');
    });

    it('leaves a chat written by a newer version untouched, reports it, and refuses to reset it', async () => {
      const f = fixture();
      const key = f.chat(520341);
      const newer = {
        schemaVersion: 3,
        value: 'queued',
        context: { portal: key.portal, chatId: key.chatId },
      };
      await writeRaw(f, key, newer, { timer: { id: 'confirm:1.3', delayMs: 1_000 } });
      const error = await f.engine.dispatch(f.events(key).clientSays('hello?')).catch((e: unknown) => e);
      expect(isBatonError(error, 'SNAPSHOT_FROM_NEWER_VERSION')).toBe(true);
      expect(f.seen).toContainEqual([
        'chat.unreadable',
        expect.objectContaining({ key, code: 'SNAPSHOT_FROM_NEWER_VERSION' }),
      ]);
      const reset = await f.engine.resetChat(key, 'stuck').catch((e: unknown) => e);
      expect(isBatonError(reset, 'SNAPSHOT_FROM_NEWER_VERSION')).toBe(true);
      // Its timer is left for a newer worker: backed off here, never parked.
      for (let i = 0; i < 240; i += 1) {
        f.clock.advance(15_000);
        await f.engine.drain();
      }
      expect(countOf(f, 'timer.parked')).toBe(0);
      expect(await f.store.load(key)).toEqual({
        snapshot: newer,
        version: 1,
        summary: { state: 'awaitingOperator', stateSince: expect.any(Number) },
      });
      // The dispatch, then the timer's attempts, 30 s doubling to 10 min apart, over the hour:
      // at 0, 30 s, 1.5, 3.5, 7.5, 15.5, 25.5, 35.5, 45.5 and 55.5 min — not the 120 claims a 30 s visibility allows.
      expect(countOf(f, 'chat.unreadable')).toBe(1 + 10);
    });

    it('resetChat recovers a corrupt chat: back in bot, pending work dropped, the reset in its history', async () => {
      const f = fixture();
      const key = f.chat(520342);
      await writeRaw(f, key, corruptSnapshot(key), {
        timer: { id: 'confirm:1.3', delayMs: 60_000 },
        effect: 'transfer:1.2',
      });
      const ev = f.events(key);
      const error = await f.engine.dispatch(ev.clientSays('anyone there?')).catch((e: unknown) => e);
      expect(isBatonError(error, 'CORRUPT_SNAPSHOT')).toBe(true);
      const reset = await f.engine.resetChat(key, 'snapshot damaged by a manual edit');
      expect(reset).toMatchObject({ key, code: 'CORRUPT_SNAPSHOT', version: 2, releasedOperatorId: null });
      expect(f.seen).toContainEqual(['chat.reset', reset]);
      const chat = await f.engine.getChat(key);
      expect(chat).toMatchObject({ state: 'bot', version: 2 });
      expect(chat?.context.resets).toEqual([
        { at: f.clock.now(), reason: 'snapshot damaged by a manual edit', code: 'CORRUPT_SNAPSHOT' },
      ]);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(0);
      f.clock.advance(60_000);
      expect(await f.store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
      expect(await f.engine.dispatch(ev.clientSays('hello again'))).toMatchObject({
        state: 'bot',
        route: 'bot',
      });
      await f.engine.dispatch(ev.transferTo(toUser(104233)));
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
    });

    it('a corrupt chat’s timer is retried with backoff, then parked, never spun', async () => {
      const f = fixture();
      const key = f.chat(520343);
      await writeRaw(f, key, corruptSnapshot(key), { timer: { id: 'confirm:1.3', delayMs: 1_000 } });
      for (let i = 0; i < 240; i += 1) {
        f.clock.advance(15_000);
        await f.engine.drain();
      }
      // Five attempts (the default), then the timer is gone and reported once.
      expect(countOf(f, 'chat.unreadable')).toBe(5);
      expect(f.seen.filter(([name]) => name === 'timer.parked')).toEqual([
        ['timer.parked', { key, timerId: 'confirm:1.3', attempts: 5, code: 'CORRUPT_SNAPSHOT' }],
      ]);
      f.clock.advance(3_600_000);
      expect(await f.store.claimDueTimers({ limit: 10, visibilityMs: 1_000 })).toEqual([]);
    });
  });
}
