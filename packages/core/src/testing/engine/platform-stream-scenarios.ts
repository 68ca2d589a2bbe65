import { describe, expect, it } from 'vitest';
import type { ChatKey } from '../../chat-key.js';
import type { BatonEventInput } from '../../events.js';
import { dispatchInternal } from '../dispatch-internal.js';
import { transportFailure } from '../fake-transport.js';
import type { ConformanceHarness } from '../harness.js';
import { type EngineStore, namesOf, toQueue, toUser, useEngineFixture } from './fixture.js';

// Ids as large as a real portal's: a parser or a key that mishandles them cannot hide here.
const botId = 1_204_871;
const clientId = 3_518_402;
const anna = 2_210_457;
const boris = 2_210_963;
const salesLine = 14;
const firstSession = 5_100_201;

let messageSeq = 88_100_000;

/** Platform-shaped events for one chat: every message carries the owner and the session id. */
function platform(key: ChatKey, session = { id: firstSession }) {
  const message = (fields: Record<string, unknown>): BatonEventInput => {
    const messageId = String(++messageSeq);
    return {
      type: 'message',
      id: `bitrix:${key.portal}:message:${messageId}`,
      portal: key.portal,
      chatId: key.chatId,
      messageId,
      botId,
      sessionId: session.id,
      lineId: salesLine,
      ownerId: 0,
      ...fields,
    } as BatonEventInput;
  };
  return {
    session,
    client: (text: string, ownerId = 0) =>
      message({ author: { userId: clientId, kind: 'client' }, text, ownerId }),
    operatorWrites: (userId: number, text = 'Good afternoon, how can I help?') =>
      message({ author: { userId, kind: 'operator' }, text, ownerId: userId }),
    /** The notice `Chat::answer` posts: from the operator, the owner already set. */
    answerNotice: (userId: number) =>
      message({
        author: { userId, kind: 'operator' },
        text: 'took the dialog',
        system: true,
        ownerId: userId,
      }),
    /** The notice `Chat::skip` posts: from the operator who skipped, nobody owns the dialog. */
    skipNotice: (userId: number) =>
      message({ author: { userId, kind: 'operator' }, text: 'skipped the dialog', system: true, ownerId: 0 }),
    joined: (sessionId?: number): BatonEventInput => ({
      type: 'bot.joined',
      id: `bitrix:${key.portal}:join:${key.chatId}:${sessionId ?? 'none'}`,
      portal: key.portal,
      chatId: key.chatId,
      botId,
      ...(sessionId === undefined ? {} : { sessionId }),
    }),
  };
}

/**
 * The platform's real event stream, as section 0 of the facts describes it: the owner field as
 * the answer signal, system notices, session boundaries, `0` after a transfer, outcomes that
 * belong to a step the plan has left, and calls whose outcome is unknown.
 */
export function platformStreamScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe("the platform's event stream", () => {
    const fixture = useEngineFixture(harness);

    it('a skip notice is not an answer; the answer notice, with the owner set, is', async () => {
      const f = fixture();
      const { key } = await f.handOver(toUser(anna, false, 60_000), 7_700_001);
      const p = platform(key);
      await f.engine.dispatch(p.client('hello?'));
      await f.engine.dispatch(p.skipNotice(anna));
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');
      await f.engine.dispatch(p.answerNotice(anna));
      await f.engine.drain();
      expect(await f.engine.getChat(key)).toMatchObject({
        state: 'operator',
        context: { operatorId: anna, botPresent: false },
      });
      expect(f.transport.callsOf('removeBot')).toHaveLength(1);
    });

    it("a client's 0 after a transfer is an ordinary message; the bot is still removed after the answer", async () => {
      const f = fixture();
      const { key } = await f.handOver(toUser(anna), 7_700_002);
      const p = platform(key);
      const zero = await f.engine.dispatch(p.client('0'));
      expect(zero).toMatchObject({ state: 'awaitingOperator', route: 'bot' });
      await f.engine.dispatch(p.operatorWrites(anna));
      await f.engine.drain();
      expect(f.transport.callsOf('removeBot')).toHaveLength(1);
      expect((await f.engine.getChat(key))?.context.botPresent).toBe(false);
    });

    it("a client's 0 while the bot holds the chat ends the bot's part", async () => {
      const f = fixture();
      const key = f.chat(7_700_003);
      const p = platform(key);
      expect(await f.engine.dispatch(p.client('hi'))).toMatchObject({ route: 'bot' });
      expect(await f.engine.dispatch(p.client('0'))).toMatchObject({ state: 'operator', route: 'none' });
      expect((await f.engine.getChat(key))?.context.botPresent).toBe(false);
    });

    it('a new session id returns the chat to the bot and drops the old session’s calls and timers', async () => {
      const f = fixture();
      const { key } = await f.handOver([toUser(anna, false, 30_000), toQueue(salesLine)], 7_700_004);
      const p = platform(key);
      await f.engine.dispatch(p.client('still there?'));
      p.session.id = firstSession + 9;
      const next = await f.engine.dispatch(p.client('hello again'));
      expect(next).toMatchObject({ state: 'bot', route: 'bot' });
      expect(namesOf(f.seen)).toContain('session.started');
      f.clock.advance(60_000);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
      expect(await f.engine.getChat(key)).toMatchObject({
        state: 'bot',
        context: { platformSession: firstSession + 9, botPresent: true, plan: [] },
      });
      // A late message of the old session changes nothing.
      p.session.id = firstSession;
      expect(await f.engine.dispatch(p.operatorWrites(anna))).toMatchObject({ state: 'bot', changed: false });
    });

    it('the bot joining again starts a new session, whatever the chat was doing', async () => {
      const f = fixture();
      const { key } = await f.handOver(toUser(anna), 7_700_005);
      const p = platform(key);
      await f.engine.dispatch(p.operatorWrites(anna));
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.state).toBe('operator');
      await f.engine.dispatch(p.joined(firstSession + 1));
      expect(await f.engine.getChat(key)).toMatchObject({
        state: 'bot',
        context: { botPresent: true, operatorId: null, platformSession: firstSession + 1 },
      });
      // The join of a session the chat is already in changes nothing.
      expect(await f.engine.dispatch({ ...p.joined(firstSession + 1), id: 'join-again' })).toMatchObject({
        changed: false,
      });
    });

    it('a join delivered after a hand-over of its own session does not undo it', async () => {
      const f = fixture();
      const key = f.chat(7_700_014);
      await f.engine.dispatch(f.events(key).transferTo(toUser(anna, true)));
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.state).toBe('operator');
      // The session's join, delayed: the chat had heard of no session id before the transfer.
      const late = await f.engine.dispatch(platform(key).joined(firstSession));
      expect(late).toMatchObject({ state: 'operator' });
      expect((await f.engine.getChat(key))?.context).toMatchObject({
        operatorId: anna,
        platformSession: firstSession,
      });
      // The next session's join does end it.
      expect(await f.engine.dispatch(platform(key).joined(firstSession + 4))).toMatchObject({ state: 'bot' });
    });

    it('a skip by the operator of a step the plan has left does not skip the current step', async () => {
      const f = fixture();
      const { key } = await f.handOver(
        [toUser(anna, false, 10_000), toUser(boris, false, 60_000)],
        7_700_006,
      );
      f.clock.advance(10_000);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer').map((c) => c.request.target)).toEqual([
        { kind: 'user', userId: anna },
        { kind: 'user', userId: boris },
      ]);
      await f.engine.dispatch({
        type: 'operator.skipped',
        id: 'skip-by-anna',
        portal: key.portal,
        chatId: key.chatId,
        operatorId: anna,
      });
      expect(await f.engine.getChat(key)).toMatchObject({ state: 'awaitingOperator', context: { step: 1 } });
    });

    it('an answer that may belong to an earlier step is settled by reading the owner', async () => {
      const f = fixture();
      const { key } = await f.handOver(
        [toUser(anna, false, 10_000), toUser(boris, false, 60_000)],
        7_700_007,
      );
      f.clock.advance(10_000);
      await f.engine.drain();
      // Anna's answer notice arrives after Boris was offered the chat: the platform says nobody owns it.
      await f.engine.dispatch(platform(key).answerNotice(anna));
      await f.engine.drain();
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(1);
      expect(await f.engine.getChat(key)).toMatchObject({ state: 'awaitingOperator', context: { step: 1 } });
    });

    it('an answer while the next step’s transfer is not yet made withdraws it: the answer holds', async () => {
      const f = fixture();
      const { key } = await f.handOver([toUser(anna, false, 10_000), toQueue(salesLine)], 7_700_008);
      f.clock.advance(10_000);
      const [timer] = await f.store.claimDueTimers({ limit: 10, visibilityMs: 60_000 });
      await dispatchInternal(f.engine, {
        type: 'timer.fired',
        id: `fired:${timer?.id}`,
        portal: key.portal,
        chatId: key.chatId,
        timerId: timer?.id ?? '',
      });
      await f.engine.dispatch(platform(key).answerNotice(anna));
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
      expect(await f.engine.getChat(key)).toMatchObject({ state: 'operator', context: { operatorId: anna } });
    });

    it('an answer while the next step’s transfer is in flight: a transfer that went through moves the chat on', async () => {
      const f = fixture();
      const { key } = await f.handOver([toUser(anna, false, 10_000), toQueue(salesLine)], 7_700_009);
      let release: () => void = () => {};
      f.transport.respondOnce('transfer', async () => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { ok: true, value: undefined };
      });
      f.clock.advance(10_000);
      const drained = f.engine.drain();
      await waitUntil(() => f.transport.callsOf('transfer').length === 2);
      await f.engine.dispatch(platform(key).answerNotice(anna));
      release();
      await drained;
      expect(await f.engine.getChat(key)).toMatchObject({ state: 'awaitingOperator', context: { step: 1 } });
    });

    it('an operator who answers after the plan gave up still gets the chat, and the bot is removed', async () => {
      const f = fixture();
      const { key } = await f.handOver(toUser(anna, false, 10_000), 7_700_010);
      f.clock.advance(10_000);
      await f.engine.drain();
      expect(namesOf(f.seen)).toContain('handoff.failed');
      expect((await f.engine.getChat(key))?.state).toBe('bot');
      await f.engine.dispatch(platform(key).answerNotice(anna));
      await f.engine.drain();
      expect(await f.engine.getChat(key)).toMatchObject({
        state: 'operator',
        context: { operatorId: anna, botPresent: false },
      });
    });

    it('a LEAVE=Y transfer whose answer was lost is read back, not repeated', async () => {
      const f = fixture();
      const key = f.chat(7_700_011);
      f.transport.respondOnce(
        'transfer',
        transportFailure('NETWORK', { retryable: true, kind: 'transient', outcomeUnknown: true }),
      );
      f.transport.setBotPresent(key, false);
      await f.engine.dispatch(f.events(key).transferTo(toUser(anna, true)));
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(1);
      expect(await f.engine.getChat(key)).toMatchObject({
        state: 'operator',
        context: { operatorId: anna, botPresent: false },
      });
    });

    it('a transfer whose outcome is unknown and did not happen is repeated after the read', async () => {
      const f = fixture();
      const key = f.chat(7_700_012);
      f.transport.respondOnce(
        'transfer',
        transportFailure('TIMEOUT', { retryable: true, kind: 'transient', outcomeUnknown: true }),
      );
      f.transport.setBotPresent(key, true);
      await f.engine.dispatch(f.events(key).transferTo(toUser(anna, true)));
      await f.engine.drain();
      f.clock.advance(60_000);
      await f.engine.drain();
      expect(f.transport.callsOf('transfer')).toHaveLength(2);
      expect((await f.engine.getChat(key))?.state).toBe('operator');
    });

    it("refuses the engine's own events from callers, and bounds their strings", async () => {
      const f = fixture();
      const key = f.chat(7_700_013);
      const base = { portal: key.portal, chatId: key.chatId };
      await expect(
        f.engine.dispatch({
          ...base,
          id: 'fake',
          type: 'effect.result',
          effectId: 'transfer:1.1',
          outcome: { ok: true },
        } as unknown as BatonEventInput),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(
        f.engine.dispatch({
          ...base,
          id: 'fake-timer',
          type: 'timer.fired',
          timerId: 'confirm:1.2',
        } as never),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(
        dispatchInternal(f.engine, {
          ...base,
          id: 'long-code',
          type: 'effect.result',
          effectId: 'transfer:1.1',
          outcome: { ok: false, code: 'X'.repeat(10_000), retryable: true },
        }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect(await f.engine.getChat(key)).toBeUndefined();
    });
  });
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  if (!condition()) throw new Error('condition not met');
}
