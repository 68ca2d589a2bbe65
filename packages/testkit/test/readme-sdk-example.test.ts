// The README's "Testing a bot written with the official SDK" example, verbatim below this line.
import { Agent } from 'node:https';
import { createEmulator } from '@baton/testkit';
import { ApiVersion, B24Hook } from '@bitrix24/b24jssdk';
import { expect, test } from 'vitest';

test('an SDK bot hands the chat over through a webhook over TLS, within the rate limit', async () => {
  // tls: the SDK takes only https:// webhooks. slackMs: the SDK paces by send time (see "Bursts" above).
  const emulator = await createEmulator({
    tls: true,
    rateLimit: { ratePerSecond: 2, burst: 50, slackMs: 250 },
  });
  const portal = emulator.createPortal();
  const operator = portal.createOperator({ name: 'Alice' });
  const line = portal.createLine({ queue: [operator.userId] });
  const bot = portal.registerBot({ clientId: 'my-bot' });
  const chat = portal.createClientChat({ lineId: line.lineId, botId: bot.botId });

  // The webhook URL as the portal shows it, unchanged; the SDK's HTTP clients trust the emulator.
  const b24 = B24Hook.fromWebhookUrl(portal.createWebhook().baseUrl);
  const agent = new Agent({ ca: emulator.tls?.ca, keepAlive: true });
  for (const version of [ApiVersion.v2, ApiVersion.v3]) {
    b24.getHttpClient(version).ajaxClient.defaults.httpsAgent = agent;
  }

  expect(await b24.tools.healthCheck.make()).toBe(true);
  const transfer = await b24.actions.v2.call.make({
    method: 'imopenlines.bot.session.transfer',
    params: { CHAT_ID: chat.chatId, USER_ID: operator.userId, LEAVE: 'N', CLIENT_ID: 'my-bot' },
  });
  expect(transfer.getData()?.result).toBe(true);
  expect(portal.chat(chat.chatId)).toMatchObject({ waitingOperatorId: operator.userId, botPresent: true });

  // 60 calls at once: the SDK sends 50, then 2 a second.
  const dialogs = await Promise.all(
    Array.from({ length: 60 }, () =>
      b24.actions.v2.call.make<{ owner: number }>({
        method: 'imopenlines.dialog.get',
        params: { CHAT_ID: chat.chatId },
      }),
    ),
  );
  expect(dialogs.every((dialog) => dialog.getData()?.result.owner === 0)).toBe(true);

  expect(emulator.requests.filter((entry) => entry.error === 'QUERY_LIMIT_EXCEEDED')).toEqual([]);
  agent.destroy();
  await emulator.close();
});
