import express, { type Request, type Response, type Router } from 'express';
import type { CacheProvider, Profile } from '@node-saml/passport-saml';
import type { Logger } from 'pino';
import { isUuid, type AccountId } from '../../domain/ids';
import type { SsoSession } from '../../domain/sso/sso-ports';
import { clearSessionCookie } from '../http/session-cookie';
import { requestIdOf } from '../http/request-context';
import { page } from './pages';
import { nameIdFormat, samlOptions, spEndpoints } from './saml-options';
import type { SamlDependencies, SamlRouteOptions, Target } from './sp-router';

interface SloParts {
  load(req: Request, res: Response): Promise<Target | null>;
  samlLibrary(): Promise<typeof import('@node-saml/passport-saml')>;
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
 * the session's NameID and SessionIndex; the IdP's own LogoutRequest (HTTP-Redirect or HTTP-POST,
 * signed by the account's IdP) ends the sessions it names, with the product sign-ins they started,
 * and is answered with a signed LogoutResponse. node-saml checks the signatures and builds the messages.
 */
export function sloRoutes(
  router: Router,
  deps: SamlDependencies,
  options: SamlRouteOptions,
  parts: SloParts,
  logger: Logger,
) {
  const secure = options.publicUrl.startsWith('https:');
  const samlFor = async (target: Target) => {
    const { SAML } = await parts.samlLibrary();
    const sp = spEndpoints(options.publicUrl, target.accountId);
    const config = samlOptions(target.config, sp, parts.requestStore(target), null, {
      spKey: options.spKey,
      sign: true,
    });
    return new SAML({ ...config, passReqToCallback: undefined } as ConstructorParameters<typeof SAML>[0]);
  };

  const answer = (binding: 'redirect' | 'post') => async (req: Request, res: Response) => {
    const target = await parts.load(req, res);
    if (!target) return;
    if (!options.spKey || !target.config.logoutUrl) {
      return void res.status(404).type('text/plain').send('Single logout is not set up for this account');
    }
    const saml = await samlFor(target);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const isRequest =
      binding === 'redirect'
        ? typeof req.query.SAMLRequest === 'string'
        : typeof body.SAMLRequest === 'string';
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
      return void res
        .status(403)
        .type('html')
        .send(untrusted(requestIdOf(res)));
    }
    if (!isRequest || !profile) return void res.redirect(303, `/sso/${target.accountId}/signed-out`);
    const ended = await deps.sessions.endForIdpLogout(target.actor, {
      nameId: profile.nameID,
      sessionIndex: profile.sessionIndex ?? null,
    });
    logger.info({ accountId: target.accountId, ended }, 'IdP single logout');
    clearSessionCookie(res, secure);
    const relayState = String((binding === 'redirect' ? req.query.RelayState : body.RelayState) ?? '');
    res.redirect(302, await saml.getLogoutResponseUrlAsync(profile, relayState, {}, true));
  };

  router.get('/sso/:accountId/slo', answer('redirect'));
  router.post('/sso/:accountId/slo', express.urlencoded({ extended: false, limit: '512kb' }), answer('post'));

  return {
    /** Where Roster's logout sends the browser: a signed LogoutRequest to the IdP, or null. */
    logoutRedirect: async (accountId: string, session: SsoSession): Promise<string | null> => {
      if (!options.spKey || !session.samlSubject || !isUuid(accountId)) return null;
      const config = (await deps.ssoConfig.forSignIn(accountId as AccountId))?.config;
      if (!config?.logoutUrl) return null;
      const actor = {
        kind: 'system',
        accountId: accountId as AccountId,
        job: 'saml-sso',
        channel: 'saml',
      } as const;
      const saml = await samlFor({
        accountId: accountId as AccountId,
        actor,
        config,
        requestedContext: null,
      });
      const subject = session.samlSubject;
      return saml.getLogoutUrlAsync(
        {
          issuer: config.idpEntityId,
          nameID: subject.nameId,
          nameIDFormat: subject.nameIdFormat ?? nameIdFormat,
          ...(subject.sessionIndex ? { sessionIndex: subject.sessionIndex } : {}),
        } as Profile,
        '',
        {},
      );
    },
  };
}
