import { stringify } from 'qs';
import { describe, expect, it } from 'vitest';
import { createMemoryTokenStore, type OAuthTokens } from '../../src/auth/token-store.js';
import type { BitrixError } from '../../src/errors.js';
import { createEventHandler } from '../../src/inbound/handler.js';
import { formHeaders, memberId, v1MessageForm } from './fixtures.js';

const endpoint = 'https://example.bitrix24.com/rest/';
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A v1 message event whose `auth` block carries a token pair expiring at `expires` (unix seconds). */
function withTokens(form: string, n: number, expires: number): string {
  const auth = {
    access_token: `access-${n}`,
    refresh_token: `refresh-${n}`,
    expires: String(expires),
    expires_in: '3600',
    client_endpoint: endpoint,
    server_endpoint: 'https://oauth.bitrix.info/rest/',
  };
  return `${form}&${stringify({ auth })}`;
}

function setup(stored: OAuthTokens | undefined, adoptEventTokens?: boolean) {
  const tokens = createMemoryTokenStore(stored ? { [memberId]: stored } : {});
  const errors: BitrixError[] = [];
  const handler = createEventHandler({
    applicationTokens: { [memberId]: 'app-token-0123456789' },
    accept: async () => undefined,
    oauthTokens: tokens,
    ...(adoptEventTokens === undefined ? {} : { adoptEventTokens }),
    onError: (error) => errors.push(error),
  });
  return { tokens, handler, errors };
}

const old: OAuthTokens = {
  accessToken: 'access-100001',
  refreshToken: 'refresh-100001',
  clientEndpoint: endpoint,
  expiresAt: (nowSeconds() - 60) * 1000,
};

describe('tokens carried by inbound events', () => {
  it('stores the pair of a verified event that is newer than the stored one', async () => {
    const { tokens, handler } = setup(old);
    const result = await handler.handle(
      withTokens(v1MessageForm(), 200001, nowSeconds() + 3600),
      formHeaders,
    );
    expect(result.outcome).toBe('accepted');
    expect(await tokens.get(memberId)).toMatchObject({
      accessToken: 'access-200001',
      refreshToken: 'refresh-200001',
      clientEndpoint: endpoint,
    });
  });

  it('replaces a spent record even when it looks newer', async () => {
    const spent = { ...old, expiresAt: (nowSeconds() + 7200) * 1000, refreshSpentAt: Date.now() };
    const { tokens, handler } = setup(spent);
    await handler.handle(withTokens(v1MessageForm(), 200002, nowSeconds() + 3600), formHeaders);
    expect((await tokens.get(memberId))?.refreshToken).toBe('refresh-200002');
  });

  it('keeps stored tokens that are newer than the event’s (a replayed event)', async () => {
    const fresh = { ...old, expiresAt: (nowSeconds() + 3600) * 1000 };
    const { tokens, handler } = setup(fresh);
    await handler.handle(withTokens(v1MessageForm(), 200003, nowSeconds() + 60), formHeaders);
    expect(await tokens.get(memberId)).toEqual(fresh);
  });

  it('never stores the pair of an event whose application token does not check out', async () => {
    const { tokens, handler } = setup(old);
    const forged = withTokens(v1MessageForm({ token: 'forged-token-999999' }), 200004, nowSeconds() + 3600);
    const result = await handler.handle(forged, formHeaders);
    expect(result).toMatchObject({ outcome: 'rejected', status: 403 });
    expect(await tokens.get(memberId)).toEqual(old);
  });

  it('can be turned off', async () => {
    const { tokens, handler } = setup(old, false);
    await handler.handle(withTokens(v1MessageForm(), 200005, nowSeconds() + 3600), formHeaders);
    expect(await tokens.get(memberId)).toEqual(old);
  });

  it('reports a failing store and still handles the event', async () => {
    const errors: BitrixError[] = [];
    const handler = createEventHandler({
      applicationTokens: { [memberId]: 'app-token-0123456789' },
      accept: async () => undefined,
      oauthTokens: {
        get: async () => {
          throw new Error('store down');
        },
        set: async () => undefined,
      },
      onError: (error) => errors.push(error),
    });
    const result = await handler.handle(
      withTokens(v1MessageForm(), 200006, nowSeconds() + 3600),
      formHeaders,
    );
    expect(result.outcome).toBe('accepted');
    expect(errors.map((error) => error.code)).toEqual(['UNEXPECTED']);
  });
});
