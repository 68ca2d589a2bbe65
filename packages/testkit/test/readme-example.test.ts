// The README's example, kept runnable: if this test breaks, the README is wrong.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulator } from '@baton/testkit';
import { expect, test } from 'vitest';

// The bot under test: hands the chat to operator `operatorId` when the client asks for a human.
async function startMyBot(restBaseUrl: string, clientId: string, operatorId: number) {
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const form = new URLSearchParams(body); // PHP-style keys: data[PARAMS][MESSAGE]
    if (form.get('event') === 'ONIMBOTMESSAGEADD' && form.get('data[PARAMS][MESSAGE]') === 'human please') {
      await fetch(`${restBaseUrl}imopenlines.bot.session.transfer.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          CHAT_ID: Number(form.get('data[PARAMS][CHAT_ID]')),
          USER_ID: operatorId,
          LEAVE: 'N',
          CLIENT_ID: clientId,
        }),
      });
    }
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

test('the bot hands the chat to an operator and stays until it is removed', async () => {
  const emulator = await createEmulator();
  const portal = emulator.createPortal();
  const operator = portal.createOperator({ name: 'Alice' });
  const line = portal.createLine({ queue: [operator.userId] });
  const webhook = portal.createWebhook();

  const myBot = await startMyBot(webhook.baseUrl, 'my-bot', operator.userId);
  const bot = portal.registerBot({ clientId: 'my-bot', eventHandlerUrl: myBot.url });
  const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId });

  await portal.clientWrites(chat.chatId, 'human please'); // resolves after the bot has answered
  expect(portal.chat(chat.chatId)).toMatchObject({ state: 'waiting', ownerId: 0, botPresent: true });

  await portal.operatorAnswers(chat.chatId, operator.userId);
  expect(portal.chat(chat.chatId)).toMatchObject({
    state: 'answered',
    ownerId: operator.userId,
    botPresent: true,
  });

  expect(emulator.requests.filter((entry) => entry.error === 'QUERY_LIMIT_EXCEEDED')).toEqual([]);
  myBot.server.close();
  await emulator.close();
});
