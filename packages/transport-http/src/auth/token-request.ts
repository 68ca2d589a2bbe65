import { z } from 'zod';
import type { FetchFunction } from '../rest/send-request.js';
import type { OAuthTokens } from './token-store.js';

/** What one post of a refresh token to the token endpoint came to. */
export type TokenRequestOutcome =
  /** Rotated: the new tokens, which exist nowhere else yet. */
  | { readonly kind: 'rotated'; readonly tokens: OAuthTokens }
  /** `invalid_grant`: the refresh token is spent (or revoked). */
  | { readonly kind: 'spent'; readonly status: number }
  /** Sent, but no answer was read: the token endpoint may have rotated the token (it is then spent). */
  | { readonly kind: 'unknown'; readonly detail: string; readonly status?: number }
  /** Refused without rotating (bad client credentials, a malformed request), or never sent. */
  | { readonly kind: 'failed'; readonly detail: string; readonly status?: number };

/** What the request needs. */
export interface TokenRequestInput {
  readonly fetch: FetchFunction;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly current: OAuthTokens;
  readonly timeoutMs: number;
  readonly now: () => number;
}

const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  client_endpoint: z.string().min(1).optional(),
});
const tokenErrorSchema = z.object({ error: z.string().min(1).max(200) });

/** Connection errors that prove the request never left: nothing can have been rotated. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Posts the refresh token once and says what happened. Never throws; never puts a token, the
 * client secret or a fetch error (which can quote the request) into its outcome.
 */
export async function requestTokens(input: TokenRequestInput): Promise<TokenRequestOutcome> {
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: input.clientId,
    client_secret: input.clientSecret,
    refresh_token: input.current.refreshToken,
  });
  let response: Response;
  try {
    response = await input.fetch(input.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      signal: AbortSignal.timeout(input.timeoutMs),
    });
  } catch (cause) {
    const code = errorCode(cause);
    if (code !== undefined && notSentCodes.has(code))
      return { kind: 'failed', detail: `the token endpoint could not be reached (${code})` };
    return { kind: 'unknown', detail: `the request was sent but no answer arrived (${code ?? 'no code'})` };
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { kind: 'unknown', detail: 'the answer was cut off', status: response.status };
  }
  const { status } = response;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const detail = `HTTP ${status} with a body that is not JSON`;
    return status >= 500 ? { kind: 'unknown', detail, status } : { kind: 'failed', detail, status };
  }
  const answer = tokenAnswerSchema.safeParse(json);
  if (answer.success) {
    const { access_token, refresh_token, expires_in, client_endpoint } = answer.data;
    const tokens: OAuthTokens = {
      accessToken: access_token,
      refreshToken: refresh_token,
      clientEndpoint: client_endpoint ?? input.current.clientEndpoint,
      ...(expires_in === undefined ? {} : { expiresAt: input.now() + expires_in * 1000 }),
    };
    return { kind: 'rotated', tokens };
  }
  const error = tokenErrorSchema.safeParse(json);
  if (error.success && error.data.error === 'invalid_grant') return { kind: 'spent', status };
  const detail = `the token endpoint answered ${error.success ? error.data.error : 'unexpected answer'} (HTTP ${status})`;
  return status >= 500 ? { kind: 'unknown', detail, status } : { kind: 'failed', detail, status };
}

function errorCode(cause: unknown): string | undefined {
  for (let current = cause, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return undefined;
}
