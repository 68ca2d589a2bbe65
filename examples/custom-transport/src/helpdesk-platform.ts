/**
 * A stand-in for "another platform": a small help desk with a JSON API over real HTTP on
 * 127.0.0.1. Conversations have participants (the client, the bot, agents), an assignee offered
 * the conversation, and the agent who accepted it. Replace it with your platform; the transport
 * in `helpdesk-transport.ts` is what you would write.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Conversation {
  readonly id: number;
  botPresent: boolean;
  assignee: number | null;
  acceptedBy: number | null;
  readonly messages: { readonly author: string; readonly text: string }[];
}

/** The running platform, with the means to play its people. */
export interface Helpdesk {
  readonly url: string;
  readonly token: string;
  readonly agents: readonly number[];
  /** A new conversation that the bot holds. */
  openConversation(): number;
  /** An agent accepts a conversation offered to them. */
  accept(conversationId: number, agentId: number): void;
  conversation(conversationId: number): Readonly<Conversation> | undefined;
  close(): Promise<void>;
}

export async function startHelpdesk(): Promise<Helpdesk> {
  const token = `hd-${Math.random().toString(36).slice(2, 12)}`;
  const agents = [204_811, 204_812];
  const teams = new Map([[31, agents]]);
  const conversations = new Map<number, Conversation>();
  let nextId = 880_001;

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  };

  const server = createServer(async (request, response) => {
    if (request.headers.authorization !== `Bearer ${token}`)
      return send(response, 401, { error: 'UNAUTHORIZED' });
    const match = /^\/api\/conversations\/(\d+)(\/[a-z/-]+)?$/.exec(request.url ?? '');
    const conversation = match ? conversations.get(Number(match[1])) : undefined;
    if (!conversation) return send(response, 404, { error: 'NO_CONVERSATION' });
    const action = `${request.method} ${match?.[2] ?? ''}`;
    const body = request.method === 'POST' ? await readJson(request) : {};
    switch (action) {
      case 'GET ':
        return send(response, 200, {
          id: conversation.id,
          assignee: conversation.assignee,
          acceptedBy: conversation.acceptedBy,
          participants: conversation.botPresent ? ['bot'] : [],
        });
      case 'POST /assign': {
        const agentId = Number(body.agentId);
        if (!agents.includes(agentId)) return send(response, 422, { error: 'UNKNOWN_AGENT' });
        conversation.assignee = agentId;
        conversation.acceptedBy = null;
        return send(response, 200, { assigned: agentId });
      }
      case 'POST /assign-team': {
        const team = teams.get(Number(body.teamId));
        if (!team) return send(response, 422, { error: 'UNKNOWN_TEAM' });
        conversation.assignee = team[conversation.id % team.length] ?? null;
        conversation.acceptedBy = null;
        return send(response, 200, { assigned: conversation.assignee });
      }
      case 'POST /leave': {
        const wasPresent = conversation.botPresent;
        conversation.botPresent = false;
        return send(response, 200, { left: wasPresent });
      }
      case 'POST /messages':
        conversation.messages.push({ author: 'bot', text: String(body.text ?? '') });
        return send(response, 201, { posted: true });
      default:
        return send(response, 405, { error: 'NOT_SUPPORTED' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    agents,
    openConversation() {
      const id = nextId++;
      conversations.set(id, { id, botPresent: true, assignee: null, acceptedBy: null, messages: [] });
      return id;
    },
    accept(conversationId, agentId) {
      const conversation = conversations.get(conversationId);
      if (conversation?.assignee !== agentId)
        throw new Error(`Agent ${agentId} was not offered ${conversationId}`);
      conversation.acceptedBy = agentId;
    },
    conversation: (conversationId) => conversations.get(conversationId),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
