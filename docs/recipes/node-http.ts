import { createServer, type Server } from 'node:http';
import { createNodeEventHandler, type EventHandlerOptions } from '@baton/transport-http';

export async function serveEvents(options: EventHandlerOptions, port: number): Promise<Server> {
  // The listener reads the body itself, within `limits` (1 MiB by default), and answers.
  const server = createServer(createNodeEventHandler(options));
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return server;
}
