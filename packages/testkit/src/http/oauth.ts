import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault } from '../faults.js';
import { parseParams, readBody } from './body.js';
import type { ServerDeps } from './deps.js';
import { sendJson } from './envelope.js';
import { applyFailureFault, failureKinds } from './faulting.js';

/** The name the refresh endpoint has in the request log and in fault specs. */
export const oauthTokenMethod = 'oauth.token';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The OAuth server's refresh: `grant_type=refresh_token` with the app's `client_id`,
 * `client_secret` and a `refresh_token`, by GET or POST. The refresh token rotates: the answer
 * carries a new one and the used one is refused (`400 invalid_grant`) from then on; the access
 * token issued with the used one stops working too (`401 expired_token`).
 *
 * Faults apply as to a REST method named `oauth.token`; an `'after'` fault rotates the tokens and
 * then loses the answer, so the client's refresh token is spent without it learning the new one.
 */
export async function handleOAuthToken(
  deps: ServerDeps,
  request: IncomingMessage,
  response: ServerResponse,
  query: string,
  arrivedAt: number,
): Promise<void> {
  let portal = '';
  const log = (status: number, error: string | undefined, fault?: Fault) => {
    deps.log({
      at: arrivedAt,
      portal,
      method: oauthTokenMethod,
      status,
      auth: 'none',
      ...(error === undefined ? {} : { error }),
      ...(fault === undefined ? {} : { fault: fault.kind }),
    });
  };
  /** Applies a failure fault of the given phase; `true` when it took the answer's place. */
  const failed = (when: 'before' | 'after'): boolean => {
    const fault = deps.faults.take(failureKinds, oauthTokenMethod, portal, when);
    if (fault === undefined) return false;
    const outcome = applyFailureFault(fault, request, response);
    log(outcome.status, outcome.error, fault);
    return true;
  };
  let latency: Fault | undefined;
  let checkedBefore = false;
  const answer = (status: number, body: Record<string, unknown>) => {
    // Once past the `before` faults, every answer may still be lost by an `after` fault.
    if (checkedBefore && failed('after')) return;
    sendJson(response, status, body);
    log(status, typeof body.error === 'string' ? body.error : undefined, latency);
  };

  let params: Record<string, unknown>;
  try {
    params = parseParams(query, await readBody(request), request.headers['content-type']);
  } catch {
    answer(400, { error: 'invalid_request', error_description: 'Unreadable request' });
    return;
  }
  const grant = deps.runtime.credentials.peekRefresh(text(params.refresh_token));
  const state = grant === undefined ? undefined : deps.runtime.portal(grant.memberId);
  portal = state?.memberId ?? '';

  latency = deps.faults.take(['latency'], oauthTokenMethod, portal);
  if (latency !== undefined) await deps.sleep(latency.ms ?? 0);
  if (failed('before')) return;
  checkedBefore = true;

  if (text(params.grant_type) !== 'refresh_token') {
    answer(400, { error: 'unsupported_grant_type', error_description: 'Only refresh_token is supported' });
    return;
  }
  const app = grant === undefined ? undefined : state?.apps.get(grant.clientId);
  if (
    grant !== undefined &&
    (app === undefined ||
      app.clientId !== text(params.client_id) ||
      app.clientSecret !== text(params.client_secret))
  ) {
    answer(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
    return;
  }
  const consumed = deps.runtime.credentials.consumeRefresh(text(params.refresh_token));
  if (consumed === undefined || state === undefined || app === undefined) {
    answer(400, { error: 'invalid_grant', error_description: 'Invalid or already used refresh token' });
    return;
  }
  const tokens = deps.runtime.credentials.issueTokens(state.memberId, app.clientId);
  answer(200, {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires: Math.floor(tokens.expiresAt / 1000),
    expires_in: Math.round(deps.accessTokenTtlMs / 1000),
    scope: 'imbot,imopenlines,im',
    domain: state.domain,
    // Shaped as the platform's `https://oauth.bitrix.info/rest/`: clients post to its origin's `/oauth/token/`.
    server_endpoint: `${deps.runtime.url()}/rest/`,
    status: 'L',
    client_endpoint: `${deps.runtime.url()}/rest/`,
    member_id: state.memberId,
    user_id: app.userId,
  });
}
