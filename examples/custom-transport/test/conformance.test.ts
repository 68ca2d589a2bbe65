// The help-desk transport passes the same conformance suite as Baton's own transports.
import { transportConformanceSuite } from '@baton/core/testing';
import { startHelpdesk } from '../src/helpdesk-platform.js';
import { createHelpdeskTransport } from '../src/helpdesk-transport.js';

const platforms = new Map<object, Awaited<ReturnType<typeof startHelpdesk>>>();

transportConformanceSuite('help-desk transport', {
  async create() {
    const helpdesk = await startHelpdesk();
    const transport = createHelpdeskTransport({ url: helpdesk.url, token: helpdesk.token });
    platforms.set(transport, helpdesk);
    return {
      transport,
      operatorId: helpdesk.agents[0] as number,
      newChat: async () => ({ portal: 'desk-acme', chatId: helpdesk.openConversation() }),
      answer: async (chat, operatorId) => helpdesk.accept(chat.chatId, operatorId),
    };
  },
  async destroy({ transport }) {
    await platforms.get(transport)?.close();
    platforms.delete(transport);
  },
});
