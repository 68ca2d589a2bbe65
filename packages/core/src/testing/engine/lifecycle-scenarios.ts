import { describe, expect, it } from 'vitest';
import type { ChatKey } from '../../chat-key.js';
import { transportFailure } from '../fake-transport.js';
import type { ConformanceHarness } from '../harness.js';
import { type EngineStore, namesOf, toQueue, toUser, useEngineFixture } from './fixture.js';

const byChatId = (chats: readonly ChatKey[]) => [...chats].sort((a, b) => a.chatId - b.chatId);

/** Hand-overs that go as planned: LEAVE=Y, LEAVE=N, queues, answers from messages, calls and polls. */
export function lifecycleScenarios(harness: ConformanceHarness<EngineStore>): void {
  describe('hand-over lifecycle', () => {
    const fixture = useEngineFixture(harness);

    it('starts a new chat in bot and routes client messages to the bot', async () => {
      const f = fixture();
      const key = f.chat();
      const result = await f.engine.dispatch(f.events(key).clientSays('hello'));
      expect(result).toMatchObject({ status: 'applied', state: 'bot', route: 'bot', version: 1 });
      expect((await f.engine.getChat(key))?.context.botPresent).toBe(true);
    });

    it('LEAVE=Y to a user: operator right after the platform accepts, and no removal call', async () => {
      const f = fixture();
      const key = f.chat();
      const ev = f.events(key);
      expect((await f.engine.dispatch(ev.transferTo(toUser(7, true)))).state).toBe('transferring');
      await f.engine.drain();
      const chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('operator');
      expect(chat?.context.botPresent).toBe(false);
      expect(f.transport.callsOf('transfer')).toHaveLength(1);
      expect(f.transport.callsOf('transfer')[0]?.request).toMatchObject({
        portal: key.portal,
        chatId: key.chatId,
        target: { kind: 'user', userId: 7 },
        leave: true,
      });
      expect(f.transport.callsOf('removeBot')).toHaveLength(0);
      expect(f.seen.find(([name]) => name === 'bot.left')?.[1]).toMatchObject({ reason: 'leaveOnTransfer' });
      expect((await f.engine.dispatch(ev.clientSays('still there?'))).route).toBe('operator');
    });

    it('LEAVE=N to a user: waits with the bot present, then removes the bot once the operator writes', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver(toUser(7, false));
      let chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('awaitingOperator');
      expect(chat?.context.botPresent).toBe(true);
      expect(f.transport.callsOf('transfer')[0]?.request).toMatchObject({ leave: false });

      // While waiting, client messages still go to the bot (the default policy).
      expect((await f.engine.dispatch(ev.clientSays('anyone?'))).route).toBe('bot');
      expect(f.transport.callsOf('removeBot')).toHaveLength(0);

      const answer = await f.engine.dispatch(ev.operatorSays(7));
      expect(answer).toMatchObject({ state: 'operator', route: 'none' });
      await f.engine.drain();
      chat = await f.engine.getChat(key);
      expect(chat?.context.botPresent).toBe(false);
      expect(chat?.context.operatorId).toBe(7);
      expect(f.transport.callsOf('removeBot')).toHaveLength(1);
      expect(namesOf(f.seen)).toEqual(
        expect.arrayContaining(['transfer.requested', 'transfer.succeeded', 'operator.answered', 'bot.left']),
      );
      expect(f.seen.find(([name]) => name === 'bot.left')?.[1]).toMatchObject({ reason: 'removed', key });
    });

    it('a queue transfer keeps the bot whatever LEAVE says, and removes it after the answer', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver(toQueue(3, true));
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');
      expect(f.transport.callsOf('removeBot')).toHaveLength(0);
      await f.engine.dispatch(ev.operatorSays(11));
      await f.engine.drain();
      expect(f.transport.callsOf('removeBot')).toHaveLength(1);
      expect((await f.engine.getChat(key))?.context).toMatchObject({ botPresent: false, operatorId: 11 });
    });

    it('sends the announcement before the first transfer call, once, and goes ahead if it fails', async () => {
      const f = fixture();
      f.transport.respondOnce('sendBotMessage', transportFailure('ACCESS_ERROR', { retryable: false }));
      const key = f.chat();
      const announcement = 'Connecting you to an operator…';
      await f.engine.dispatch(
        f.events(key).transferTo([toUser(7, false, 1_000), toUser(8)], { announcement }),
      );
      await f.engine.drain();
      expect(f.transport.calls.map((call) => call.method)).toEqual(['sendBotMessage', 'transfer']);
      expect(f.transport.callsOf('sendBotMessage')[0]?.request).toMatchObject({ ...key, text: announcement });
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');
      f.clock.advance(1_000); // the deadline passes: the next step is tried without a second announcement
      await f.engine.drain();
      expect(f.transport.calls.map((call) => call.method)).toEqual([
        'sendBotMessage',
        'transfer',
        'transfer',
      ]);
    });

    it('treats "bot already gone" on removal as success, without retrying', async () => {
      const f = fixture();
      f.transport.respondAlways('removeBot', { ok: true, value: { alreadyGone: true } });
      const { key, ev } = await f.handOver(toUser(7));
      await f.engine.dispatch(ev.answered(7));
      await f.engine.drain();
      f.clock.advance(120_000);
      await f.engine.drain();
      expect(f.transport.callsOf('removeBot')).toHaveLength(1);
      expect((await f.engine.getChat(key))?.context.botPresent).toBe(false);
      expect(f.seen.find(([name]) => name === 'bot.left')?.[1]).toMatchObject({ reason: 'alreadyGone' });
    });

    it('recognises an explicit operatorAnswered call', async () => {
      const f = fixture();
      const { key } = await f.handOver(toUser(7));
      const result = await f.engine.operatorAnswered({ ...key, operatorId: 7 });
      expect(result.state).toBe('operator');
      expect(f.seen.find(([name]) => name === 'operator.answered')?.[1]).toMatchObject({
        source: 'explicit',
        operatorId: 7,
      });
    });

    it('ignores messages from the client, connector users, bots and the system as answers', async () => {
      const f = fixture();
      const { key } = await f.handOver(toUser(7));
      for (const kind of ['client', 'connector', 'bot', 'system'] as const) {
        await f.engine.dispatch({
          id: `not-an-answer-${kind}`,
          portal: key.portal,
          chatId: key.chatId,
          type: 'message',
          author: { userId: 5, kind },
        });
      }
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');
    });

    it('after the session finishes, the next client message opens a new session with the bot', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver(toUser(7, true));
      expect((await f.engine.dispatch(ev.finished())).state).toBe('closed');
      expect((await f.engine.dispatch(ev.operatorSays(7))).state).toBe('closed');
      const reopened = await f.engine.dispatch(ev.clientSays('me again'));
      expect(reopened).toMatchObject({ state: 'bot', route: 'bot' });
      const chat = await f.engine.getChat(key);
      expect(chat?.context).toMatchObject({ session: 2, botPresent: true, operatorId: null, plan: [] });
    });

    it('finishing a session while awaiting cancels the confirmation deadline', async () => {
      const f = fixture();
      const { key, ev } = await f.handOver(toUser(7, false, 1_000));
      await f.engine.dispatch(ev.finished());
      f.clock.advance(5_000);
      await f.engine.drain();
      expect((await f.engine.getChat(key))?.state).toBe('closed');
      expect(namesOf(f.seen)).not.toContain('handoff.failed');
    });
  });

  describe('confirmation polling', () => {
    const fixture = useEngineFixture(harness, { confirmationPollIntervalMs: 1_000 });

    it('polls the dialog owner while awaiting, and an owner turning non-zero is an answer', async () => {
      const f = fixture();
      const { key } = await f.handOver(toUser(7));
      f.clock.advance(1_000);
      await f.engine.drain();
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(1);
      expect((await f.engine.getChat(key))?.state).toBe('awaitingOperator');

      f.transport.setDialogOwner(key, 7);
      f.clock.advance(1_000);
      await f.engine.drain();
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(2);
      const chat = await f.engine.getChat(key);
      expect(chat?.state).toBe('operator');
      expect(chat?.context.operatorId).toBe(7);
      expect(f.transport.callsOf('removeBot')).toHaveLength(1);
      expect(f.seen.find(([name]) => name === 'operator.answered')?.[1]).toMatchObject({ source: 'poll' });

      // Polling stops once answered.
      f.clock.advance(10_000);
      await f.engine.drain();
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(2);
    });

    it('reads the polls of chats that started waiting apart in one grouped call; a chat whose read fails is alone in failing', async () => {
      const f = fixture();
      // Three chats start waiting at different moments of the interval: their polls come due together.
      const keys = [];
      for (const chatId of [481_516, 481_517, 481_518]) {
        keys.push((await f.handOver(toUser(7), chatId)).key);
        f.clock.advance(300);
      }
      const [first, second, third] = keys as [ChatKey, ChatKey, ChatKey];
      f.transport.setDialogOwner(second, 7);
      f.transport.respondOnce('readDialogOwners', (chats) =>
        chats.map((chat) =>
          chat.chatId === third.chatId
            ? transportFailure('INTERNAL_SERVER_ERROR', { retryable: true, kind: 'transient' })
            : { ok: true as const, value: { ownerId: chat.chatId === second.chatId ? 7 : 0 } },
        ),
      );
      f.clock.advance(100); // the next multiple of the interval since the first hand-over
      await f.engine.drain();
      // One call with the three chats (in the order the store claimed them).
      const groups = () => f.transport.callsOf('readDialogOwners').map((call) => byChatId(call.request));
      expect(groups()).toEqual([[first, second, third]]);
      expect(f.transport.callsOf('readDialogOwner')).toHaveLength(0);
      expect((await f.engine.getChat(second))?.state).toBe('operator');
      expect((await f.engine.getChat(first))?.state).toBe('awaitingOperator');
      expect((await f.engine.getChat(third))?.state).toBe('awaitingOperator');

      // The failed chat polls again with the others still waiting, and its answer is found then.
      f.transport.setDialogOwner(third, 7);
      f.clock.advance(1_000);
      await f.engine.drain();
      expect(groups()).toEqual([
        [first, second, third],
        [first, third],
      ]);
      expect((await f.engine.getChat(third))?.state).toBe('operator');
      expect((await f.engine.getChat(first))?.state).toBe('awaitingOperator');
    });
  });
}
