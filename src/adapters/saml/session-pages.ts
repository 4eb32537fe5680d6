import express, { Router, type Request, type Response } from 'express';
import { DomainError } from '../../domain/errors';
import { isUuid, type AccountId } from '../../domain/ids';
import type { SessionService, SignedIn } from '../../domain/sso/session-service';
import type { SsoConfigService } from '../../domain/sso/sso-config-service';
import { requestIdOf } from '../http/request-context';
import { clearSessionCookie, csrfHeader, csrfMatches, readSessionCookie } from '../http/session-cookie';
import { landingPage, logoutRefusedPage, signedOutPage, signInPage } from './pages';

interface SessionPageDependencies {
  ssoConfig: SsoConfigService;
  sessions: SessionService;
}

const mfaWords = {
  idp: 'by your identity provider',
  totp: 'Roster authenticator code',
  not_required: 'not required',
};

/**
 * The browser side of sessions: the landing page after a sign-in, logout
 * (to the IdP's logout URL when it has one), and the signed-out page.
 */
export function sessionPages(
  deps: SessionPageDependencies,
  options: { publicUrl: string },
  /** A signed SAML LogoutRequest to the IdP for this session (single logout), or null. */
  logoutRedirect: (accountId: string, session: SignedIn['session']) => Promise<string | null> = async () =>
    null,
): Router {
  const router = Router();
  const secure = options.publicUrl.startsWith('https:');

  /** The session of the cookie, if it is alive (in whichever account). */
  const signedIn = async (req: Request, res: Response): Promise<{ who: SignedIn; secret: string } | null> => {
    const secret = readSessionCookie(req);
    if (!secret) return null;
    try {
      return { who: await deps.sessions.authenticate(secret, 'saml', requestIdOf(res)), secret };
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'unauthenticated') return null;
      throw err;
    }
  };

  router.get('/sso/:accountId/home', async (req, res) => {
    const accountId = String(req.params.accountId);
    if (!isUuid(accountId)) return void res.status(404).type('text/plain').send('No such account');
    const found = await signedIn(req, res);
    if (found?.who.actor.accountId !== accountId) {
      return void res.status(401).type('html').send(signInPage(accountId));
    }
    const me = await deps.sessions.me(found.who.actor, found.who.session);
    res
      .status(200)
      .type('html')
      .send(
        landingPage({
          accountId,
          accountName: me.account.name,
          userName: me.user?.userName ?? '',
          roleName: me.role?.name ?? 'none',
          mfa: mfaWords[found.who.session.mfa.method],
          csrfToken: deps.sessions.csrfToken(found.secret),
        }),
      );
  });

  router.post(
    '/sso/:accountId/logout',
    express.urlencoded({ extended: false, limit: '8kb' }),
    async (req, res) => {
      const accountId = String(req.params.accountId);
      if (!isUuid(accountId)) return void res.status(404).type('text/plain').send('No such account');
      const found = await signedIn(req, res);
      if (found && found.who.actor.accountId !== accountId) {
        // Signed in to another account: this account's logout leaves that session alone.
        return void res.redirect(303, `/sso/${accountId}/signed-out`);
      }
      if (found) {
        const token: unknown = req.body?.csrf ?? req.headers[csrfHeader];
        if (!csrfMatches(deps.sessions.csrfToken(found.secret), token)) {
          return void res.status(403).type('html').send(logoutRefusedPage(accountId));
        }
        await deps.sessions.end(found.who);
      }
      clearSessionCookie(res, secure);
      const singleLogout = found ? await logoutRedirect(accountId, found.who.session) : null;
      if (singleLogout) return void res.redirect(303, singleLogout);
      const idp = await deps.ssoConfig.forSignIn(accountId as AccountId);
      res.redirect(303, idp?.config?.logoutUrl ?? `/sso/${accountId}/signed-out`);
    },
  );

  router.get('/sso/:accountId/signed-out', (req, res) => {
    const accountId = String(req.params.accountId);
    if (!isUuid(accountId)) return void res.status(404).type('text/plain').send('No such account');
    res.status(200).type('html').send(signedOutPage(accountId));
  });
  return router;
}
