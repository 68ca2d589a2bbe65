import type { Server } from 'node:http';
import { createEventHandler, type EventHandlerOptions } from '@baton/transport-http';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';

export async function serveEvents(options: EventHandlerOptions, port: number): Promise<Server> {
  const app = Fastify();
  // The platform posts forms: without a form parser Fastify answers 415 before the route runs.
  await app.register(formbody);
  const events = createEventHandler(options);
  app.post('/bitrix/events', async (request, reply) => {
    const result = await events.handle(request.body as Record<string, unknown>, request.headers);
    return reply.code(result.status).send(result.body);
  });
  await app.listen({ port });
  return app.server;
}
