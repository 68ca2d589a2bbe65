import type { Server } from 'node:http';
import { createNodeEventHandler, type EventHandlerOptions } from '@baton/transport-http';
import Koa from 'koa';

export async function serveEvents(options: EventHandlerOptions, port: number): Promise<Server> {
  const app = new Koa();
  const listener = createNodeEventHandler(options);
  app.use(async (ctx, next) => {
    if (ctx.path !== '/bitrix/events') return next();
    // Koa parses no body by itself: hand the raw request to the listener, which answers.
    ctx.respond = false;
    await listener(ctx.req, ctx.res);
  });
  return new Promise((resolve) => {
    const server = app.listen(port, () => resolve(server));
  });
}
