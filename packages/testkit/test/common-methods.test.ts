import { afterEach, describe, expect, it } from 'vitest';
import { type Scenario, scenario } from './fixture.js';

// `server.time` and `profile`: the `basic` methods a client calls on its own (the official SDK's
// healthCheck and ping call `server.time`, its `initIsAdmin` calls `profile`).

let s: Scenario | undefined;
afterEach(async () => {
  await s?.emulator.close();
  s = undefined;
});

describe('server.time', () => {
  it("answers the portal's time at its offset, in whole seconds", async () => {
    s = await scenario({ rateLimit: false, utcOffset: '+03:00' });
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { status, body } = await s.asUser(s.alice, 'server.time');
    expect(status).toBe(200);
    expect(body.result).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
    const at = Date.parse(String(body.result));
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(body.time).toMatchObject({ date_start: expect.stringMatching(/\+03:00$/) });
  });
});

describe('profile', () => {
  it('describes the administrator behind a webhook, ADMIN true', async () => {
    s = await scenario();
    const { status, body } = await s.asBot('profile');
    expect(status).toBe(200);
    expect(body.result).toEqual({
      ID: '1',
      ADMIN: true,
      NAME: 'Administrator',
      LAST_NAME: '',
      PERSONAL_GENDER: '',
      TIME_ZONE: '',
      TIME_ZONE_OFFSET: 0,
    });
  });

  it('describes an operator as no administrator', async () => {
    s = await scenario();
    const { body } = await s.asUser(s.alice, 'profile');
    expect(body.result).toMatchObject({ ID: String(s.alice), ADMIN: false, NAME: 'Alice' });
  });

  it('is served through OAuth too, as the installing user', async () => {
    s = await scenario();
    const app = s.portal.installApp();
    const response = await fetch(`${app.clientEndpoint}profile.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: app.accessToken }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { ID: '1', ADMIN: true } });
  });
});
