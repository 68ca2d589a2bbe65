import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTestkitError } from '../errors.js';
import type { ClientChatOptions } from '../portal-options.js';
import type { Portal } from '../portal-types.js';
import { readBody } from './body.js';
import { sendError, sendJson } from './envelope.js';

/** What the control API reaches. */
export interface ControlTarget {
  portal(memberId: string): Portal | undefined;
  requests(): unknown;
  deliveries(): unknown;
}

type Body = Record<string, unknown>;

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The actions on one chat, by the last path segment. */
const chatActions: Record<
  string,
  (portal: Portal, chatId: number, body: Body) => Promise<unknown> | unknown
> = {
  'client-messages': (portal, chatId, body) => portal.clientWrites(chatId, str(body.text)),
  'operator-messages': (portal, chatId, body) =>
    portal.operatorWrites(chatId, num(body.userId), str(body.text)),
  answer: (portal, chatId, body) => portal.operatorAnswers(chatId, num(body.userId)),
  skip: (portal, chatId, body) => portal.operatorSkips(chatId, num(body.userId)),
  finish: (portal, chatId, body) => portal.operatorFinishes(chatId, num(body.userId)),
  'kick-bot': (portal, chatId) => portal.kickBot(chatId),
  'transfer-lock': (portal, chatId, body) => portal.holdTransferLock(chatId, num(body.ms)),
};

async function dispatch(
  target: ControlTarget,
  verb: string,
  path: readonly string[],
  body: Body,
): Promise<unknown> {
  if (verb === 'GET' && path.length === 1 && path[0] === 'requests') return target.requests();
  if (verb === 'GET' && path.length === 1 && path[0] === 'deliveries') return target.deliveries();
  const [kind, memberId, chats, chatId, action] = path;
  const portal = kind === 'portals' && memberId !== undefined ? target.portal(memberId) : undefined;
  if (portal === undefined || chats !== 'chats') return undefined;
  // Arguments are validated by the portal itself: a bad one answers 400 INVALID_INPUT.
  if (chatId === undefined)
    return verb === 'POST' ? portal.createClientChat(body as unknown as ClientChatOptions) : undefined;
  if (action === undefined) return verb === 'GET' ? portal.chat(num(chatId)) : undefined;
  const run = chatActions[action];
  if (verb !== 'POST' || run === undefined) return undefined;
  return (await run(portal, num(chatId), body)) ?? { ok: true };
}

/**
 * A small JSON API under `/_emulator/` so that a standalone emulator can be driven from any
 * language: create client chats, write as the client or an operator, answer, skip, finish, kick
 * the bot, read a chat, the request log and the deliveries. Not part of the platform, so not
 * logged as a platform request.
 */
export async function handleControl(
  target: ControlTarget,
  request: IncomingMessage,
  response: ServerResponse,
  path: readonly string[],
): Promise<void> {
  let body: Body = {};
  try {
    const text = await readBody(request);
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError();
    body = parsed as Body;
  } catch {
    sendError(response, 400, 'INVALID_INPUT', 'The body must be a JSON object');
    return;
  }
  try {
    const result = await dispatch(target, request.method ?? 'GET', path, body);
    if (result === undefined) sendError(response, 404, 'NOT_FOUND', 'No such control endpoint or portal');
    else sendJson(response, 200, result);
  } catch (error) {
    if (!isTestkitError(error)) throw error;
    sendError(response, error.code === 'NOT_FOUND' ? 404 : 400, error.code, error.message);
  }
}
