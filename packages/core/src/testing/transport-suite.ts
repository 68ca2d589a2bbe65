import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatKey } from '../chat-key.js';
import type { Transport, TransportResult } from '../contracts/transport.js';

/** A platform to run a transport against: the transport, and the means to set the scene. */
export interface TransportPlatform<T extends Transport = Transport> {
  readonly transport: T;
  /** A new chat of an open line that the transport's bot holds, with nobody answering it yet. */
  newChat(): Promise<ChatKey>;
  /** A user of the platform that a chat may be handed to. */
  readonly operatorId: number;
  /** Makes `operatorId` answer `chat` on the platform (after a transfer to them). */
  answer(chat: ChatKey, operatorId: number): Promise<void>;
}

/** How the transport suite makes and disposes of a platform with a transport on it. */
export interface TransportHarness<T extends Transport = Transport> {
  create(): Promise<TransportPlatform<T>>;
  destroy(platform: TransportPlatform<T>): Promise<void>;
}

const failureKinds: ReadonlySet<unknown> = new Set(['target', 'budget', 'transient']);

/** Checks that a failure is data the engine can act on. */
function expectFailureShape(result: TransportResult<unknown>): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  const { code, retryable, kind, outcomeUnknown, message } = result.error;
  expect(typeof code === 'string' && code.length > 0).toBe(true);
  expect(typeof retryable).toBe('boolean');
  expect(typeof message).toBe('string');
  if (kind !== undefined) expect(failureKinds.has(kind)).toBe(true);
  if (outcomeUnknown !== undefined) expect(typeof outcomeUnknown).toBe('boolean');
}

/**
 * The conformance suite of the `Transport` contract: only the four calls the lifecycle makes
 * (`transfer`, `removeBot`, `readDialogOwner`, `sendBotMessage`) are required and checked, and the
 * grouped `readDialogOwners` when the transport has it (the test is skipped otherwise).
 * Run it against every transport, with a harness that sets the scene on a real (or emulated)
 * platform.
 *
 * @example
 * ```ts
 * import { transportConformanceSuite } from '@baton/core/testing';
 *
 * transportConformanceSuite('my transport', {
 *   create: async () => ({ transport, operatorId: 100_501, newChat, answer }),
 *   destroy: async () => transport.close?.(),
 * });
 * ```
 */
export function transportConformanceSuite<T extends Transport>(
  name: string,
  harness: TransportHarness<T>,
): void {
  describe(`Transport conformance: ${name}`, () => {
    let platform: TransportPlatform<T>;
    beforeEach(async () => {
      platform = await harness.create();
    });
    afterEach(async () => {
      await harness.destroy(platform);
    });

    it('transfers to a user; the dialog has no owner until that user answers, then that owner', async () => {
      const chat = await platform.newChat();
      const { transport, operatorId } = platform;
      expect(
        await transport.transfer({ ...chat, target: { kind: 'user', userId: operatorId }, leave: false }),
      ).toEqual({
        ok: true,
        value: undefined,
      });
      const before = await transport.readDialogOwner(chat);
      expect(before).toMatchObject({ ok: true, value: { ownerId: 0 } });
      if (before.ok && before.value.botPresent !== undefined) expect(before.value.botPresent).toBe(true);
      await platform.answer(chat, operatorId);
      expect(await transport.readDialogOwner(chat)).toMatchObject({
        ok: true,
        value: { ownerId: operatorId },
      });
    });

    it('sends a message as the bot', async () => {
      const chat = await platform.newChat();
      expect(
        await platform.transport.sendBotMessage({ ...chat, text: 'Connecting you to an operator…' }),
      ).toEqual({
        ok: true,
        value: undefined,
      });
    });

    it('removes the bot, and a removal of a bot already gone is a success too', async () => {
      const chat = await platform.newChat();
      const first = await platform.transport.removeBot(chat);
      expect(first).toEqual({ ok: true, value: { alreadyGone: false } });
      const second = await platform.transport.removeBot(chat);
      expect(second.ok).toBe(true);
      if (second.ok) expect(typeof second.value.alreadyGone).toBe('boolean');
    });

    it('answers an aborted call with an ABORTED failure, as data', async () => {
      const chat = await platform.newChat();
      const signal = AbortSignal.abort();
      const results = [
        await platform.transport.transfer(
          { ...chat, target: { kind: 'user', userId: platform.operatorId }, leave: false },
          { signal },
        ),
        await platform.transport.readDialogOwner(chat, { signal }),
      ];
      for (const result of results) {
        expectFailureShape(result);
        expect(result).toMatchObject({ ok: false, error: { code: 'ABORTED', retryable: false } });
      }
    });

    it('reads several chats of one portal in one grouped call, one outcome per chat in order (when it has readDialogOwners)', async (context) => {
      const { transport, operatorId } = platform;
      const readDialogOwners = transport.readDialogOwners?.bind(transport);
      if (readDialogOwners === undefined) {
        context.skip();
        return;
      }
      const chats = [await platform.newChat(), await platform.newChat(), await platform.newChat()];
      for (const chat of chats) {
        await transport.transfer({ ...chat, target: { kind: 'user', userId: operatorId }, leave: false });
      }
      const [first, second, third] = chats as [ChatKey, ChatKey, ChatKey];
      await platform.answer(second, operatorId);
      const results = await readDialogOwners([first, second, third]);
      expect(results).toHaveLength(3);
      expect(results[0]).toMatchObject({ ok: true, value: { ownerId: 0 } });
      expect(results[1]).toMatchObject({ ok: true, value: { ownerId: operatorId } });
      expect(results[2]).toMatchObject({ ok: true, value: { ownerId: 0 } });
      // The same chats read one by one give the same owners.
      for (const [index, chat] of chats.entries()) {
        const alone = await transport.readDialogOwner(chat);
        expect(alone.ok && alone.value.ownerId).toBe(index === 1 ? operatorId : 0);
      }
      // Aborted before it starts: every chat's outcome says so, as data.
      const aborted = await readDialogOwners([first, third], { signal: AbortSignal.abort() });
      expect(aborted).toHaveLength(2);
      for (const result of aborted) {
        expectFailureShape(result);
        expect(result).toMatchObject({ ok: false, error: { code: 'ABORTED', retryable: false } });
      }
    });

    it('keeps chats apart: an answer in one chat is not the owner of another', async () => {
      const [first, second] = [await platform.newChat(), await platform.newChat()];
      const { transport, operatorId } = platform;
      for (const chat of [first, second]) {
        await transport.transfer({ ...chat, target: { kind: 'user', userId: operatorId }, leave: false });
      }
      await platform.answer(first, operatorId);
      expect(await transport.readDialogOwner(second)).toMatchObject({ ok: true, value: { ownerId: 0 } });
    });
  });
}
