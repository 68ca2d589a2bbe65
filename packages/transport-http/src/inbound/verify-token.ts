import { createHash, timingSafeEqual } from 'node:crypto';
import { BitrixError } from '../errors.js';

/**
 * Each portal's `application_token`, learned when the app was installed (the `ONAPPINSTALL`
 * event's `auth[application_token]`): a fixed map by portal (`member_id`), or a lookup function.
 */
export type ApplicationTokenStore =
  | Readonly<Record<string, string>>
  | ((portal: string) => string | undefined | Promise<string | undefined>);

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Compares two secrets in time that does not depend on where they differ (or on their lengths). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Checks an event's `auth[application_token]` against the one stored for its portal. Throws
 * `MISSING_APPLICATION_TOKEN` (401) or `INVALID_APPLICATION_TOKEN` (403); an unknown portal is
 * answered exactly like a wrong token, so that probing reveals nothing. A store that throws is
 * `UNEXPECTED` (503): the event may be genuine, it just cannot be checked now.
 */
export async function verifyApplicationToken(
  store: ApplicationTokenStore,
  portal: string,
  token: string | undefined,
): Promise<void> {
  if (token === undefined || token.length === 0) {
    throw new BitrixError('MISSING_APPLICATION_TOKEN', 'The event carries no auth[application_token]', {
      portal,
      status: 401,
    });
  }
  const expected = await lookUpToken(store, portal);
  // Compare even for an unknown portal, so that both cases take the same time.
  const matches = secretsEqual(token, expected ?? '\u0000unknown portal');
  if (expected === undefined || expected.length === 0 || !matches) {
    throw new BitrixError(
      'INVALID_APPLICATION_TOKEN',
      "The event's application token does not match its portal",
      {
        portal,
        status: 403,
      },
    );
  }
}

async function lookUpToken(store: ApplicationTokenStore, portal: string): Promise<string | undefined> {
  if (typeof store !== 'function') return Object.hasOwn(store, portal) ? store[portal] : undefined;
  try {
    return await store(portal);
  } catch (cause) {
    throw new BitrixError(
      'UNEXPECTED',
      'The application token store failed',
      { portal, status: 503, retryable: true },
      cause,
    );
  }
}
