import {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type LineOptions,
  type Portal,
} from '@baton/testkit';
import { callForm, type Envelope } from './helpers.js';

/** A portal with two operators on line 1, one more on line 2, a bot and one client chat. */
export interface Scenario {
  readonly emulator: Emulator;
  readonly portal: Portal;
  readonly botId: number;
  readonly botClientId: string;
  readonly alice: number;
  readonly bob: number;
  readonly carol: number;
  readonly lineId: number;
  readonly otherLineId: number;
  readonly chatId: number;
  readonly clientUserId: number;
  /** Calls a method through the admin webhook, as the bot (CLIENT_ID added). */
  readonly asBot: (method: string, params?: Record<string, unknown>) => Promise<Envelope>;
  /** Calls a method through a webhook of `userId`. */
  readonly asUser: (userId: number, method: string, params?: Record<string, unknown>) => Promise<Envelope>;
}

export async function scenario(
  options: EmulatorOptions = { rateLimit: false },
  bot: { eventHandlerUrl?: string; eventsVersion?: 1 | 2 } = {},
  line: Pick<LineOptions, 'removeBotOnAnswer' | 'welcomeBotLeft' | 'queueTimeMs'> = {},
): Promise<Scenario> {
  const emulator = await createEmulator(options);
  const portal = emulator.createPortal();
  const alice = portal.createOperator({ name: 'Alice' }).userId;
  const bob = portal.createOperator({ name: 'Bob' }).userId;
  const carol = portal.createOperator({ name: 'Carol' }).userId;
  const lineId = portal.createLine({ name: 'Support', queue: [alice, bob], ...line }).lineId;
  const otherLineId = portal.createLine({ name: 'Sales', queue: [carol] }).lineId;
  const registered = portal.registerBot({ code: 'support_bot', ...bot });
  const chat = portal.createClientChat({ lineId, botId: registered.botId });
  const admin = portal.createWebhook();
  const webhooks = new Map<number, string>();
  const asUser = (userId: number, method: string, params: Record<string, unknown> = {}) => {
    let base = webhooks.get(userId);
    if (base === undefined) {
      base = portal.createWebhook({ userId }).baseUrl;
      webhooks.set(userId, base);
    }
    return callForm(`${base}${method}.json`, params);
  };
  await emulator.idle();
  return {
    emulator,
    portal,
    botId: registered.botId,
    botClientId: registered.clientId,
    alice,
    bob,
    carol,
    lineId,
    otherLineId,
    chatId: chat.chatId,
    clientUserId: chat.clientUserId,
    asBot: (method, params = {}) =>
      callForm(`${admin.baseUrl}${method}.json`, { CLIENT_ID: registered.clientId, ...params }),
    asUser,
  };
}
