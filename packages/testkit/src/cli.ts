#!/usr/bin/env node
import { parseCliArgs, usage } from './cli-args.js';
import { createEmulator, type Emulator } from './emulator.js';

// `baton-emulator`: runs the emulator standalone with one seeded portal (an operator, a line, a
// bot, a webhook and an app) and prints how to reach it as one JSON line.

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const emulator: Emulator = await createEmulator(args.options);
  const stop = (code: number) => {
    emulator.close().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  try {
    const portal = emulator.createPortal();
    const app = portal.installApp();
    const operator = portal.createOperator({ name: 'Operator' });
    const line = portal.createLine({ name: 'Support', queue: [operator.userId] });
    const bot = portal.registerBot({
      code: 'support_bot',
      eventsVersion: args.eventsVersion,
      ...(args.botHandler === undefined ? {} : { eventHandlerUrl: args.botHandler }),
    });
    const webhook = portal.createWebhook();
    const operatorWebhook = portal.createWebhook({ userId: operator.userId });
    process.stdout.write(
      `${JSON.stringify({
        url: emulator.url,
        ...(emulator.tls === undefined ? {} : { ca: emulator.tls.ca }),
        portal: {
          memberId: portal.memberId,
          domain: portal.domain,
          applicationToken: portal.applicationToken,
        },
        webhook: webhook.baseUrl,
        operatorWebhook: operatorWebhook.baseUrl,
        app,
        bot,
        operator,
        line,
      })}\n`,
    );
  } catch (error) {
    await emulator.close();
    throw error;
  }
  process.once('SIGINT', () => stop(0));
  process.once('SIGTERM', () => stop(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exitCode = 1;
});
