/**
 * The engine on a transport for another platform: a client asks for a person, the chat is handed
 * to an agent of the help desk, and when the agent accepts (the help desk sends no event for it),
 * the engine's dialog polling sees the new owner and removes the bot. Exits 0 when it did.
 */
import { createEngine } from '@baton/core';
import { startHelpdesk } from './helpdesk-platform.js';
import { createHelpdeskTransport } from './helpdesk-transport.js';

const helpdesk = await startHelpdesk();
const transport = createHelpdeskTransport({ url: helpdesk.url, token: helpdesk.token });
// The help desk tells nothing when an agent accepts: polling the owner is how the engine learns.
const engine = createEngine({ transport, confirmationPollIntervalMs: 200, worker: { pollIntervalMs: 20 } });
engine.on('error', (error, context) => console.error(`engine error (${context.stage})`, error));
engine.on('transition', ({ key, from, to }) =>
  console.log(`conversation ${key.chatId}: ${from ?? 'new'} → ${to}`),
);
engine.start();

const portal = 'desk-acme';
const chatId = helpdesk.openConversation();
const agent = helpdesk.agents[0] as number;
try {
  const { route } = await engine.dispatch({
    type: 'message',
    id: `desk-acme:msg:${chatId}:1`,
    portal,
    chatId,
    author: { userId: 730_114, kind: 'client' },
    text: 'Can I talk to a person?',
  });
  if (route !== 'bot') throw new Error(`expected the bot to hold the conversation, got ${route}`);
  await engine.dispatch({
    type: 'transfer.request',
    id: `desk-acme:handover:${chatId}`,
    portal,
    chatId,
    plan: [{ target: { kind: 'user', userId: agent }, leave: false, confirmationTimeoutMs: 30_000 }],
    announcement: 'An agent will be with you shortly.',
  });
  await waitFor(() => helpdesk.conversation(chatId)?.assignee === agent, 'the transfer');
  helpdesk.accept(chatId, agent);
  await waitFor(() => helpdesk.conversation(chatId)?.botPresent === false, 'the bot to leave');
  const chat = await engine.getChat({ portal, chatId });
  if (chat?.state !== 'operator') throw new Error(`expected state operator, got ${chat?.state}`);
  console.log(`Agent ${agent} holds conversation ${chatId}; the bot left.`);
} finally {
  await engine.stop();
  await helpdesk.close();
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
