import { createEmulator, type Emulator } from '@baton/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { callForm } from './helpers.js';

let emulator: Emulator;
afterEach(async () => {
  await emulator.close();
});

describe('OAuth rotation', () => {
  it('invalidates the access token issued with a refresh token once that refresh token is used', async () => {
    emulator = await createEmulator({ rateLimit: false });
    const portal = emulator.createPortal();
    const app = portal.installApp();
    const call = (auth: string) => callForm(`${app.clientEndpoint}imopenlines.config.list.get`, { auth });
    expect((await call(app.accessToken)).status).not.toBe(401);

    const refreshed = await fetch(
      `${emulator.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${app.refreshToken}`,
    );
    const tokens = (await refreshed.json()) as { access_token: string };

    expect(await call(app.accessToken)).toMatchObject({ status: 401, body: { error: 'expired_token' } });
    expect((await call(tokens.access_token)).status).not.toBe(401);
  });
});
