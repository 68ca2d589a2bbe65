import { createBatchHandler } from './batch.js';
import { sessionFinish, sessionMessageSend, sessionOperator, sessionTransfer } from './bot-session.js';
import { profile, serverTime } from './common.js';
import type { MethodHandler } from './context.js';
import { configGet, configListGet, dialogGet } from './dialog.js';
import { chatLeave, chatLeaveV2, chatUserList, eventGetV2, messageAdd, messageSendV2 } from './imbot.js';
import { imMessageAdd, operatorAnswer, operatorFinish, operatorSkip } from './operator.js';
import { timemanStatus } from './timeman.js';

/** A served REST method. */
export interface MethodEntry {
  /** The canonical name, as logged. */
  readonly name: string;
  readonly handler: MethodHandler;
  /** Refused with `403 WRONG_AUTH_TYPE` under browser-session auth: only apps and webhooks may call it. */
  readonly appOnly: boolean;
}

const entries: MethodEntry[] = [
  { name: 'imopenlines.bot.session.transfer', handler: sessionTransfer, appOnly: true },
  { name: 'imopenlines.bot.session.operator', handler: sessionOperator, appOnly: true },
  { name: 'imopenlines.bot.session.finish', handler: sessionFinish, appOnly: true },
  { name: 'imopenlines.bot.session.message.send', handler: sessionMessageSend, appOnly: true },
  { name: 'imopenlines.dialog.get', handler: dialogGet, appOnly: false },
  { name: 'imopenlines.config.list.get', handler: configListGet, appOnly: false },
  { name: 'imopenlines.config.get', handler: configGet, appOnly: false },
  { name: 'imopenlines.operator.answer', handler: operatorAnswer, appOnly: false },
  { name: 'imopenlines.operator.skip', handler: operatorSkip, appOnly: false },
  { name: 'imopenlines.operator.finish', handler: operatorFinish, appOnly: false },
  { name: 'im.message.add', handler: imMessageAdd, appOnly: false },
  { name: 'imbot.chat.leave', handler: chatLeave, appOnly: true },
  { name: 'imbot.chat.user.list', handler: chatUserList, appOnly: true },
  { name: 'imbot.message.add', handler: messageAdd, appOnly: true },
  { name: 'imbot.v2.Chat.leave', handler: chatLeaveV2, appOnly: true },
  { name: 'imbot.v2.Chat.Message.send', handler: messageSendV2, appOnly: true },
  { name: 'imbot.v2.Event.get', handler: eventGetV2, appOnly: true },
  { name: 'timeman.status', handler: timemanStatus, appOnly: false },
  { name: 'server.time', handler: serverTime, appOnly: false },
  { name: 'profile', handler: profile, appOnly: false },
];

const byLowerName = new Map(entries.map((entry) => [entry.name.toLowerCase(), entry]));

/** Method names are case-insensitive on the platform. */
export function findMethod(name: string): MethodEntry | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** `batch` runs the other methods; the REST layer does not charge it to the operating limit. */
export const batchEntry: MethodEntry = {
  name: 'batch',
  handler: createBatchHandler(findMethod),
  appOnly: false,
};
entries.push(batchEntry);
byLowerName.set('batch', batchEntry);

/** Every method the emulator serves. */
export const servedMethods: readonly string[] = entries.map((entry) => entry.name);
