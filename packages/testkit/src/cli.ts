#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createEmulator } from './emulator.js';
import type { EmulatorOptions } from './options.js';

// `baton-emulator`: runs the emulator standalone with one seeded portal (an operator, a line, a
// bot, a webhook and an app) and prints how to reach it as one JSON line.

const usage = `Usage: baton-emulator [options]
  --host <host>            loopback host to listen on (default 127.0.0.1)
  --port <port>            port, 0 for a free one (default 0)
  --rate <n>               leaky bucket drain per second (default 2)
  --burst <n>              leaky bucket size (default 50)
  --no-rate-limit          disable the rate limit
  --bot-handler <url>      where the seeded bot's events are POSTed
  --events-version <1|2>   event format of the seeded bot (default 1; 2 without a handler: fetch mode)
  --help                   show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      rate: { type: 'string' },
      burst: { type: 'string' },
      'no-rate-limit': { type: 'boolean' },
      'bot-handler': { type: 'string' },
      'events-version': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const options: EmulatorOptions = {
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.port === undefined ? {} : { port: Number(values.port) }),
    rateLimit:
      values['no-rate-limit'] === true
        ? false
        : { ratePerSecond: Number(values.rate ?? 2), burst: Number(values.burst ?? 50) },
  };
  const emulator = await createEmulator(options);
  const portal = emulator.createPortal();
  const app = portal.installApp();
  const operator = portal.createOperator({ name: 'Operator' });
  const line = portal.createLine({ name: 'Support', queue: [operator.userId] });
  const eventsVersion = values['events-version'] === '2' ? 2 : 1;
  const bot = portal.registerBot({
    code: 'support_bot',
    eventsVersion,
    ...(values['bot-handler'] === undefined ? {} : { eventHandlerUrl: values['bot-handler'] }),
  });
  const webhook = portal.createWebhook();
  const operatorWebhook = portal.createWebhook({ userId: operator.userId });
  process.stdout.write(
    `${JSON.stringify({
      url: emulator.url,
      portal: { memberId: portal.memberId, domain: portal.domain, applicationToken: portal.applicationToken },
      webhook: webhook.baseUrl,
      operatorWebhook: operatorWebhook.baseUrl,
      app,
      bot,
      operator,
      line,
    })}\n`,
  );
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(1);
});
