import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers of the SSO pages (helmet): a Content-Security-Policy that loads nothing from
 * anywhere (the pages have no script and no style; the TOTP QR code is inline SVG), no framing
 * (clickjacking a sign-in or sign-out button), nosniff, no Referer (it would carry the page's
 * query), and helmet's other defaults.
 */
export function pageHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
        // No form-action: the sign-out form posts to Roster, which redirects to the IdP's logout
        // URL, and browsers hold that redirect to form-action too. Every page's form is Roster's own.
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
