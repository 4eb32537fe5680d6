import express, { type Request, type Response, type Router } from 'express';
import type { CacheProvider, Profile } from '@node-saml/passport-saml';
import type { Logger } from 'pino';
import { clearSessionCookie } from '../http/session-cookie';
import { requestIdOf } from '../http/request-context';
import { isLogoutReturnPath } from '../oidc/interaction-return';
import { page } from './pages';
import { logoutClient, singleLogout } from './single-logout';
import type { SamlDependencies, SamlRouteOptions, Target } from './sp-router';

interface SloParts {
  load(req: Request, res: Response): Promise<Target | null>;
  requestStore(target: Target): CacheProvider;
}

const untrusted = (requestId: string) =>
  page(
    'Sign-out refused',
    `<h1>Sign-out refused</h1><p>The sign-out message could not be trusted (its signature or issuer did not check out). Nothing was changed. Reference ${requestId}.</p>`,
  );

/**
 * SAML single logout per account (SAML profiles §4.4), when Roster has its key and the IdP's
 * metadata names a SingleLogoutService: Roster's logout sends the IdP a signed LogoutRequest naming
 * the session's NameID and SessionIndex (single-logout.ts); the IdP's own LogoutRequest (HTTP-Redirect
 * or HTTP-POST, signed by the account's IdP) ends the sessions it names, with the product sign-ins
 * they started (each product is told by back-channel), and is answered with a signed LogoutResponse.
 * The IdP's LogoutResponse sends the browser on: back to the product that logged out (its RelayState
 * is the hand-off's logout return path), else to the signed-out page.
 */
export function sloRoutes(
  router: Router,
  deps: SamlDependencies,
  options: SamlRouteOptions,
  parts: SloParts,
  logger: Logger,
) {
  const secure = options.publicUrl.startsWith('https:');

  const answer = (binding: 'redirect' | 'post') => async (req: Request, res: Response) => {
    const target = await parts.load(req, res);
    if (!target) return;
    if (!options.spKey || !target.config.logoutUrl) {
      return void res.status(404).type('text/plain').send('Single logout is not set up for this account');
    }
    const saml = await logoutClient(target, options, parts.requestStore(target));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const isRequest =
      binding === 'redirect'
        ? typeof req.query.SAMLRequest === 'string'
        : typeof body.SAMLRequest === 'string';
    const relayState = String((binding === 'redirect' ? req.query.RelayState : body.RelayState) ?? '');
    // Only Roster's own logout return path: never a redirect the message could choose.
    const onward = isLogoutReturnPath(relayState) ? relayState : `/sso/${target.accountId}/signed-out`;
    let profile: Profile | null;
    try {
      if (binding === 'redirect') {
        const originalQuery = req.originalUrl.slice(req.originalUrl.indexOf('?') + 1);
        profile = (await saml.validateRedirectAsync(req.query, originalQuery)).profile;
      } else if (isRequest) {
        profile = (await saml.validatePostRequestAsync({ SAMLRequest: String(body.SAMLRequest) })).profile;
      } else {
        profile = (await saml.validatePostResponseAsync({ SAMLResponse: String(body.SAMLResponse ?? '') }))
          .profile;
      }
    } catch (err) {
      logger.warn(
        { err, accountId: target.accountId, requestId: requestIdOf(res) },
        'SAML logout message refused',
      );
      // Roster's session already ended before the IdP was asked: a product's user whose IdP
      // answered with a failure (or garbage) still goes back to the product, not to a dead end.
      if (!isRequest && onward !== `/sso/${target.accountId}/signed-out`)
        return void res.redirect(303, onward);
      return void res
        .status(403)
        .type('html')
        .send(untrusted(requestIdOf(res)));
    }
    if (!isRequest || !profile) return void res.redirect(303, onward);
    const ended = await deps.sessions.endForIdpLogout(target.actor, {
      nameId: profile.nameID,
      sessionIndex: profile.sessionIndex ?? null,
    });
    logger.info({ accountId: target.accountId, ended }, 'IdP single logout');
    clearSessionCookie(res, secure);
    res.redirect(302, await saml.getLogoutResponseUrlAsync(profile, relayState, {}, true));
  };

  router.get('/sso/:accountId/slo', answer('redirect'));
  router.post('/sso/:accountId/slo', express.urlencoded({ extended: false, limit: '512kb' }), answer('post'));

  const requestUrl = singleLogout(deps, options);
  return {
    /** Where Roster's logout sends the browser: a signed LogoutRequest to the IdP, or null. */
    logoutRedirect: (_accountId: string, session: Parameters<typeof requestUrl>[0]) =>
      requestUrl(session, ''),
  };
}
