import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/** The browser session's cookie: an opaque random value; the database keeps only its digest. */
export const sessionCookieName = 'roster_session';

/** The header that must carry the session's CSRF token on writes made with the cookie. */
export const csrfHeader = 'x-csrf-token';

export function readSessionCookie(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at).trim() !== sessionCookieName) continue;
    const value = part.slice(at + 1).trim();
    return /^rss_[A-Za-z0-9_-]{16,128}$/.test(value) ? value : null;
  }
  return null;
}

/**
 * HttpOnly (scripts cannot read it), Secure when Roster is served over https, SameSite=Lax (other
 * sites' forms and scripts do not send it; following a link to Roster does), for the whole site.
 */
export function setSessionCookie(res: Response, secret: string, expires: number, secure: boolean): void {
  res.cookie(sessionCookieName, secret, {
    httpOnly: true,
    secure,
    sameSite: 'lax',
    path: '/',
    expires: new Date(expires),
  });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(sessionCookieName, { httpOnly: true, secure, sameSite: 'lax', path: '/' });
}

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
