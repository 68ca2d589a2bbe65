import type { Server } from 'node:http';
import { createNodeEventHandler, type EventHandlerOptions } from '@baton/transport-http';
import express from 'express';

export async function serveEvents(options: EventHandlerOptions, port: number): Promise<Server> {
  const app = express();
  // Express 5's `urlencoded()` leaves PHP-style keys flat (`auth[member_id]`): the handler nests
  // them within its limits. (Express 4's `extended: true` parses with qs, which turns small
  // numeric keys into arrays: leave the route without a body parser, the handler reads it.)
  app.post('/bitrix/events', express.urlencoded({ limit: '1mb' }), createNodeEventHandler(options));
  return new Promise((resolve) => {
    const server = app.listen(port, () => resolve(server));
  });
}
