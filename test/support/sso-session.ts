import type { Express } from 'express';
import request from 'supertest';

/** The `roster_session=…` pair a response set (for a Cookie header), or null. */
export function sessionCookieOf(res: request.Response): string | null {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const found = cookies.find((c) => c.startsWith('roster_session=') && !c.startsWith('roster_session=;'));
  return found ? found.split(';')[0] : null;
}

/**
 * After a successful ACS (303 with the session cookie), opens where it leads with the cookie, as a
 * browser would: the landing page, which shows the user and the role.
 */
export async function followSignIn(app: Express, acs: request.Response): Promise<request.Response> {
  if (acs.status !== 303)
    throw new Error(`expected the ACS to redirect (303), got ${acs.status}: ${acs.text}`);
  const cookie = sessionCookieOf(acs);
  if (!cookie) throw new Error('the ACS set no session cookie');
  return request(app).get(String(acs.headers.location)).set('Cookie', cookie);
}
