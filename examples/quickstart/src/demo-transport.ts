import type { RateLimiter } from '@baton/core';
import { type BitrixTransport, createBitrixTransport } from '@baton/transport-http';
import type { PortalAccess } from './demo-portal.js';

/** The Bitrix24 transport for the demo's portal, through its incoming webhook. */
export function createDemoTransport(access: PortalAccess, rateLimiter: RateLimiter): BitrixTransport {
  return createBitrixTransport({
    rateLimiter,
    portals: {
      [access.memberId]: {
        auth: { type: 'webhook', url: access.webhookUrl },
        bot: { id: access.botId, clientId: access.botClientId },
      },
    },
  });
}
