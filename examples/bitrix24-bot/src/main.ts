/**
 * Runs the bot. With the B24_ variables set (see the README), it serves a real portal on PORT
 * (3000) until stopped. Without them it starts the portal emulator, registers the bot there for
 * v1 and then v2 events, plays a conversation through the hand-over, and exits 0 when the chat
 * reached the operator and the bot left.
 */
import { createEmulator } from '@baton/testkit';
import { createBot } from './bot.js';
import { portalFromEnvironment } from './config.js';

const real = portalFromEnvironment(process.env);
if (real) {
  const bot = await createBot(real);
  const port = Number(process.env.PORT ?? 3000);
  await bot.app.listen({ port, host: process.env.HOST ?? '0.0.0.0' });
  console.log(`Listening on :${port}; the bot's EVENT_HANDLER is https://<your host>/bitrix/events`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void bot.stop().then(() => process.exit(0)));
  }
} else {
  for (const events of ['v1', 'v2'] as const) await conversationOnEmulator(events);
  console.log('\nThe bot answered, handed over and left, with v1 and v2 events.');
}

async function conversationOnEmulator(events: 'v1' | 'v2'): Promise<void> {
  console.log(`\n— emulated portal, ${events} events —`);
  const emulator = await createEmulator();
  const portal = emulator.createPortal();
  const operatorId = portal.createOperator({ name: 'Anna Petrova' }).userId;
  const lineId = portal.createLine({ name: 'Support', queue: [operatorId] }).lineId;
  const botId = 100_000 + Math.floor(Math.random() * 900_000);
  const bot = await createBot({
    memberId: portal.memberId,
    webhookUrl: portal.createWebhook().baseUrl,
    applicationToken: portal.applicationToken,
    botId,
    botClientId: 'support_bot_secret',
    events,
    operatorId,
    queueId: lineId,
  });
  const url = await bot.app.listen({ port: 0, host: '127.0.0.1' });
  try {
    portal.registerBot({
      botId,
      code: 'support_bot',
      clientId: 'support_bot_secret',
      eventHandlerUrl: `${url}/bitrix/events`,
      eventsVersion: events === 'v2' ? 2 : 1,
    });
    const forged = await fetch(`${url}/bitrix/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        event: 'ONIMBOTMESSAGEADD',
        'data[PARAMS][CHAT_ID]': '4411902',
        'data[PARAMS][MESSAGE]': 'hello',
        'auth[member_id]': portal.memberId,
        'auth[application_token]': 'forged-token-0c1f9a',
      }).toString(),
    });
    expect(forged.status === 403, `a forged event is refused (got ${forged.status})`);

    const { chatId } = portal.createClientChat({ lineId, botId, clientName: 'Ivan', announceJoin: true });
    const texts = () => portal.messages(chatId).map((message) => message.text);
    await until(() => texts().some((text) => text.startsWith('Hello! I am the support bot')));
    console.log('bot: welcome, with a "Talk to a person" button');

    await portal.clientWrites(chatId, 'Where is my order 58211?');
    await until(() => texts().some((text) => text.startsWith('I got "Where is my order 58211?"')));
    console.log('bot: answered the client itself');

    await portal.clientWrites(chatId, 'operator'); // what the keyboard button sends
    await until(() => portal.chat(chatId).waitingOperatorId === operatorId);
    expect(portal.chat(chatId).botPresent, 'the bot stays until the operator answers (LEAVE=N)');
    console.log(`hand-over: chat ${chatId} offered to operator ${operatorId}`);

    await portal.operatorAnswers(chatId, operatorId); // accepts without typing
    await until(() => !portal.chat(chatId).botPresent);
    const chat = await bot.engine.getChat({ portal: portal.memberId, chatId });
    expect(chat?.state === 'operator', `the engine holds the chat as the operator's (got ${chat?.state})`);
    console.log('operator answered; Baton removed the bot');
  } finally {
    await bot.stop();
    await emulator.close();
  }
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Expected: ${what}`);
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
