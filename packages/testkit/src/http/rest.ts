import type { IncomingMessage, ServerResponse } from 'node:http';
import { preciseNow } from '../clock.js';
import type { Fault } from '../faults.js';
import { type Caller, upperKeys } from '../methods/context.js';
import { findMethod } from '../methods/registry.js';
import type { PortalState } from '../model/types.js';
import { parseParams, readBody } from './body.js';
import type { ServerDeps } from './deps.js';
import { sendError, sendJson, timeBlock } from './envelope.js';
import { applyFailureFault, failureKinds } from './faulting.js';
import { PlatformError } from './platform-error.js';
import type { RequestRecord } from './request-log.js';

type Auth = RequestRecord['auth'];

/** Who the request claims to be, before any check that may refuse it. */
interface Identity {
  readonly auth: Auth;
  readonly portal: PortalState | undefined;
  /** Set when the credentials are valid. */
  readonly caller: Caller | undefined;
  /** Set when they are not: the 401/403 to answer. */
  readonly refusal: PlatformError | undefined;
}

function hasSessionCookie(request: IncomingMessage): boolean {
  return /(?:^|;\s*)PHPSESSID=/i.test(request.headers.cookie ?? '');
}

function identify(
  deps: ServerDeps,
  request: IncomingMessage,
  webhook: { userId: string; secret: string } | undefined,
  params: Record<string, unknown>,
  nowMs: number,
): Identity {
  const { runtime } = deps;
  if (webhook !== undefined) {
    const grant = runtime.credentials.webhook(webhook.secret);
    const portal = grant === undefined ? undefined : runtime.portal(grant.memberId);
    if (grant === undefined || portal === undefined || String(grant.userId) !== webhook.userId) {
      // The platform answers a wrong webhook secret (or user) as if no credentials were sent.
      const refusal = new PlatformError(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
      return { auth: 'webhook', portal, caller: undefined, refusal };
    }
    return { auth: 'webhook', portal, caller: { kind: 'webhook', userId: grant.userId }, refusal: undefined };
  }
  const token = typeof params.auth === 'string' ? params.auth : '';
  if (token === '') {
    const session = typeof params.sessid === 'string' || hasSessionCookie(request);
    const refusal = new PlatformError(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    return { auth: session ? 'session' : 'none', portal: undefined, caller: undefined, refusal };
  }
  const check = runtime.credentials.checkAccess(token, nowMs);
  if (!check.ok) {
    const portal = check.memberId === undefined ? undefined : runtime.portal(check.memberId);
    const description =
      check.reason === 'expired_token'
        ? 'The access token provided has expired.'
        : 'The access token provided is invalid.';
    return {
      auth: 'oauth',
      portal,
      caller: undefined,
      refusal: new PlatformError(401, check.reason, description),
    };
  }
  const portal = runtime.portal(check.grant.memberId);
  const app = portal?.apps.get(check.grant.clientId);
  if (portal === undefined || app === undefined) {
    return {
      auth: 'oauth',
      portal,
      caller: undefined,
      refusal: new PlatformError(401, 'invalid_token', 'Unknown token'),
    };
  }
  return { auth: 'oauth', portal, caller: { kind: 'oauth', userId: app.userId, app }, refusal: undefined };
}

/** Splits `/rest/...` into the webhook part (if any) and the method name without `.json`. */
function routeOf(
  segments: readonly string[],
): { webhook?: { userId: string; secret: string }; method: string } | undefined {
  const strip = (name: string) => name.replace(/\.json$/i, '');
  const [first, second, third] = segments;
  if (segments.length === 1 && first !== undefined && first !== '') return { method: strip(first) };
  if (
    segments.length === 3 &&
    first !== undefined &&
    second !== undefined &&
    third !== undefined &&
    third !== ''
  ) {
    return { webhook: { userId: first, secret: second }, method: strip(third) };
  }
  return undefined;
}

/**
 * One REST call, in the platform's order: identify the portal, injected faults, the portal's
 * leaky bucket, authentication, the method's operating limit, the method, then "after" faults.
 */
export async function handleRest(
  deps: ServerDeps,
  request: IncomingMessage,
  response: ServerResponse,
  segments: readonly string[],
  query: string,
  arrivedAt: number,
): Promise<void> {
  const route = routeOf(segments);
  const entry = route === undefined ? undefined : findMethod(route.method);
  const methodName = entry?.name ?? route?.method.toLowerCase() ?? segments.join('/');
  let auth: Auth = route?.webhook === undefined ? 'none' : 'webhook';
  let memberId = '';
  const record = (status: number, error?: string, fault?: Fault) => {
    deps.log({
      at: arrivedAt,
      portal: memberId,
      method: methodName,
      status,
      auth,
      ...(error === undefined ? {} : { error }),
      ...(fault === undefined ? {} : { fault: fault.kind }),
    });
  };
  const refuse = (error: PlatformError) => {
    sendError(response, error.status, error.code, error.message);
    record(error.status, error.code);
  };

  let params: Record<string, unknown>;
  try {
    params = parseParams(query, await readBody(request), request.headers['content-type']);
  } catch (error) {
    refuse(
      error instanceof PlatformError
        ? error
        : new PlatformError(400, 'INVALID_REQUEST', 'Unreadable request'),
    );
    return;
  }
  if (route === undefined) {
    refuse(new PlatformError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'));
    return;
  }
  const identity = identify(deps, request, route.webhook, params, deps.runtime.now());
  auth = identity.auth;
  memberId = identity.portal?.memberId ?? '';

  const latency = deps.faults.take(['latency'], methodName, memberId);
  if (latency !== undefined) await deps.sleep(latency.ms ?? 0);
  const before = deps.faults.take(failureKinds, methodName, memberId, 'before');
  if (before !== undefined) {
    const outcome = applyFailureFault(before, request, response);
    record(outcome.status, outcome.error, before);
    return;
  }

  const bucket = memberId === '' ? undefined : deps.bucket(memberId);
  if (bucket !== undefined && !bucket.offer(arrivedAt).accepted) {
    refuse(new PlatformError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'));
    return;
  }
  if (identity.auth === 'session' && entry?.appOnly === true) {
    refuse(new PlatformError(403, 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method'));
    return;
  }
  if (identity.refusal !== undefined || identity.caller === undefined || identity.portal === undefined) {
    refuse(identity.refusal ?? new PlatformError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'));
    return;
  }
  if (entry === undefined) {
    refuse(new PlatformError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'));
    return;
  }

  const meter = deps.meter(memberId);
  const processingStartedAt = preciseNow();
  // `batch` itself is not charged: each of its inner calls is, under its own method.
  const metered = entry.name !== 'batch';
  const standing = meter.status(entry.name, processingStartedAt);
  if (metered && standing.blocked) {
    refuse(new PlatformError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.'));
    return;
  }

  let result: unknown;
  let failure: PlatformError | undefined;
  try {
    const { caller, portal } = identity;
    result = await entry.handler({
      runtime: deps.runtime,
      portal,
      caller,
      params,
      upper: upperKeys(params),
      nowMs: deps.runtime.now(),
      meter,
    });
  } catch (error) {
    failure =
      error instanceof PlatformError
        ? error
        : new PlatformError(
            500,
            'INTERNAL_SERVER_ERROR',
            error instanceof Error ? error.message : 'Internal error',
          );
  }
  const finishedAt = preciseNow();
  // Latency injected before the method counts as execution time, as a slow portal's would.
  if (metered) meter.charge(entry.name, finishedAt, finishedAt - arrivedAt);

  const after = deps.faults.take(failureKinds, methodName, memberId, 'after');
  if (after !== undefined) {
    const outcome = applyFailureFault(after, request, response);
    record(outcome.status, outcome.error, after);
    return;
  }
  if (failure !== undefined) {
    refuse(failure);
    return;
  }
  const used = meter.status(entry.name, finishedAt);
  const time = timeBlock({
    startedAt: arrivedAt,
    processingStartedAt,
    finishedAt,
    operatingSeconds: used.usedMs / 1000,
    operatingResetAt: used.resetAtMs / 1000,
    utcOffset: deps.runtime.utcOffset,
  });
  sendJson(response, 200, { result, time });
  record(200, undefined, latency);
}
