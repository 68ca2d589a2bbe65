export type { AuthEvent, AuthEventListener } from './auth/auth-events.js';
export type { BotSettings, PortalAuth, PortalDirectory, PortalSettings } from './auth/portal-settings.js';
export { portalSettingsSchema } from './auth/portal-settings.js';
export type { OAuthAppSettings, TokenRefresher } from './auth/token-refresher.js';
export type { OAuthTokenStore, OAuthTokens } from './auth/token-store.js';
export { createMemoryTokenStore, replaceTokens } from './auth/token-store.js';
export type { BitrixErrorCode, BitrixErrorContext, OwnErrorCode, PlatformErrorCode } from './errors.js';
export { BitrixError, isBitrixError, toTransportFailure } from './errors.js';
export type { AuthorFacts } from './inbound/classify-author.js';
export { classifyAuthor, readChatEntityId } from './inbound/classify-author.js';
export type { EventTokenOptions } from './inbound/event-tokens.js';
export { readEventTokens } from './inbound/event-tokens.js';
export type { FetchPoller, FetchPollerOptions, PollOutcome } from './inbound/fetch-poller.js';
export { createFetchPoller } from './inbound/fetch-poller.js';
export type {
  AcceptEvent,
  EventHandler,
  EventHandlerOptions,
  InboundHeaders,
  InboundResult,
} from './inbound/handler.js';
export { createEventHandler } from './inbound/handler.js';
export type { NodeHandlerWrapOptions, NodeRequestHandler } from './inbound/node-handler.js';
export { createNodeEventHandler } from './inbound/node-handler.js';
export type { InboundEnvelope, NormalizedEvent } from './inbound/normalized.js';
export type { BodyLimits, InboundBody } from './inbound/parse-body.js';
export { defaultBodyLimits, parseInboundBody } from './inbound/parse-body.js';
export { normalizeEvent } from './inbound/parse-event.js';
export { readInboundEnvelope } from './inbound/read-envelope.js';
export {
  type AcceptRetryOptions,
  isTransientDispatchFailure,
  retryingAccept,
} from './inbound/retry-dispatch.js';
export type { V2Delivery } from './inbound/v2-events.js';
export { normalizeV2Data } from './inbound/v2-events.js';
export type { ApplicationTokenStore } from './inbound/verify-token.js';
export { secretsEqual, verifyApplicationToken } from './inbound/verify-token.js';
export { createPlatformAvailability } from './platform-availability.js';
export { failureKind, isRetryableFailure, mayHaveRun } from './rest/classify-failure.js';
export type { BitrixClient, RestCallOptions, RestResult } from './rest/client.js';
export { createBitrixClient } from './rest/client.js';
export type { BitrixClientOptions } from './rest/client-options.js';
export { defaultOAuthTokenUrl } from './rest/client-options.js';
export type { RestParams, RestValue } from './rest/encode-params.js';
export type { ResolvedPortal } from './rest/resolve-portal.js';
export type { FetchFunction } from './rest/send-request.js';
export type { BitrixTransport, BitrixTransportOptions } from './transport.js';
export { createBitrixTransport } from './transport.js';
