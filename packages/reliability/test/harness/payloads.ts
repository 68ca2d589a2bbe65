import type { PortalAccess } from './protocol.js';

/** A v1 `ONIMBOTMESSAGEADD` as the platform posts it (form-encoded, PHP-style keys). */
export function v1MessageForm(
  portal: Pick<PortalAccess, 'memberId' | 'applicationToken' | 'botId'>,
  message: {
    chatId: number;
    messageId: number;
    fromUserId: number;
    clientUserId: number;
    lineId?: number;
    text?: string;
  },
  applicationToken = portal.applicationToken,
): string {
  const line = message.lineId ?? 1;
  const form = new URLSearchParams({
    event: 'ONIMBOTMESSAGEADD',
    event_handler_id: '317',
    ts: String(Math.floor(Date.now() / 1_000)),
    'auth[application_token]': applicationToken,
    'auth[member_id]': portal.memberId,
    'auth[domain]': `${portal.memberId.slice(0, 8)}.bitrix24.com`,
    'data[PARAMS][CHAT_ID]': String(message.chatId),
    'data[PARAMS][MESSAGE_ID]': String(message.messageId),
    'data[PARAMS][MESSAGE]': message.text ?? `client message ${message.messageId}`,
    'data[PARAMS][FROM_USER_ID]': String(message.fromUserId),
    'data[PARAMS][DIALOG_ID]': `chat${message.chatId}`,
    'data[PARAMS][CHAT_ENTITY_TYPE]': 'LINES',
    'data[PARAMS][CHAT_ENTITY_ID]': `livechat|${line}|${message.chatId + 1_000}|${message.clientUserId}`,
    'data[USER][IS_BOT]': 'N',
    'data[USER][IS_CONNECTOR]': 'Y',
    'data[USER][IS_EXTRANET]': 'N',
    [`data[BOT][${portal.botId}][BOT_ID]`]: String(portal.botId),
    [`data[BOT][${portal.botId}][BOT_CODE]`]: 'baton',
  });
  return form.toString();
}

export const formType = 'application/x-www-form-urlencoded';
