import { stringify } from 'qs';

export const memberId = 'a1b2c3d4e5';
export const applicationToken = 'app-token-0123456789';

/** A v1 `ONIMBOTMESSAGEADD` form body as the platform posts it. */
export function v1MessageForm(
  overrides: {
    fromUserId?: number;
    isBot?: 'Y' | 'N';
    isConnector?: 'Y' | 'N';
    isExtranet?: 'Y' | 'N';
    entityType?: string;
    /** `CHAT_ENTITY_ID`; `null` leaves it out. */
    entityId?: string | null;
    text?: string;
    token?: string | undefined;
    messageId?: number;
  } = {},
): string {
  const auth: Record<string, string> = { member_id: memberId, domain: 'example.bitrix24.com' };
  const token = 'token' in overrides ? overrides.token : applicationToken;
  if (token !== undefined) auth.application_token = token;
  return stringify({
    event: 'ONIMBOTMESSAGEADD',
    event_handler_id: '12',
    ts: '1700000000',
    auth,
    data: {
      BOT: { 1048577: { BOT_ID: '1048577', BOT_CODE: 'baton' } },
      PARAMS: {
        DIALOG_ID: 'chat42',
        CHAT_ID: '42',
        MESSAGE_ID: String(overrides.messageId ?? 1001),
        MESSAGE: overrides.text ?? 'hello',
        FROM_USER_ID: String(overrides.fromUserId ?? 211),
        CHAT_ENTITY_TYPE: overrides.entityType ?? 'LINES',
        ...(overrides.entityId === null
          ? {}
          : { CHAT_ENTITY_ID: overrides.entityId ?? 'livechat|3|1373|211' }),
      },
      USER: {
        ID: String(overrides.fromUserId ?? 211),
        IS_BOT: overrides.isBot ?? 'N',
        IS_CONNECTOR: overrides.isConnector ?? 'Y',
        IS_EXTRANET: overrides.isExtranet ?? 'Y',
      },
    },
  });
}

export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
