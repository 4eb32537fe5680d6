import express, { Router, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import type { Profile } from '@node-saml/passport-saml';
import type { Logger } from 'pino';
import type { Actor } from '../../domain/actor';
import { isUuid, type AccountId, type UserId } from '../../domain/ids';
import type { Clock } from '../../domain/ports';
import type { SignInService } from '../../domain/sso/sign-in-service';
import type { SessionService } from '../../domain/sso/session-service';
import { setSessionCookie } from '../http/session-cookie';
import type { SignInRefusal } from '../../domain/sso/sign-in-rules';
import type { SsoConfigService } from '../../domain/sso/sso-config-service';
import type { SsoConfig } from '../../domain/sso/sso-ports';
import { requestIdOf } from '../http/request-context';
import { refuseUndecodablePath } from '../http/request-refusals';
import { pageHeaders } from './page-headers';
import { refusalPage, sameOriginPath } from './pages';
import { sessionPages } from './session-pages';
import { checkAssertion, isRefusal, precheckResponse, refusalOf, type Refusal } from './response-checks';
import { samlOptions, spEndpoints, type SpKey } from './saml-options';
import { samlSubjectOf } from './saml-subject';
import { sloRoutes } from './slo-routes';
import { requestStore, samlLibrary } from './saml-library';
import { metadataRoute } from './sp-metadata';
import type { SamlSubject } from '../../domain/sso/sso-ports';
import type { MfaSatisfied } from '../../domain/mfa/mfa-login';
import type { TotpStepUpService } from '../../domain/mfa/totp-step-up-service';
import { mfaEvidenceOf } from './mfa-evidence';
import { backupCodesPage, policyWords } from './mfa-pages';
import { stepUpRoutes } from './mfa-step-up-routes';
import { handOffRefusalPath } from '../oidc/interaction-return';
import { ssoErrorHandler } from './error-pages';
import type { RateLimits } from '../http/rate-limits';

export interface SamlDependencies {
  ssoConfig: SsoConfigService;
  signIns: SignInService;
  sessions: SessionService;
  clock: Clock;
  /** Roster's TOTP when the IdP did not prove MFA (mfa-step-up-routes.ts). */
  stepUp: TotpStepUpService;
  /** Refused SAML responses count against the sender's address (429 past the limit). */
  rateLimits: RateLimits;
}

export interface SamlRouteOptions {
  publicUrl: string;
  clockSkewSeconds: number;
  /** Roster's SAML key pair: signed requests, single logout, encrypted assertions; null: none of those. */
  spKey: SpKey | null;
}

/** Roster's SAML endpoint acting for one account: every sign-in is audited as this actor. */
function samlActor(accountId: AccountId, res: Response): Actor {
  return { kind: 'system', accountId, job: 'saml-sso', channel: 'saml', requestId: requestIdOf(res) };
}

export interface Target {
  accountId: AccountId;
  actor: Actor;
  config: SsoConfig;
  /** The AuthnContextClassRefs the AuthnRequest asks for (the MFA policy), or null. */
  requestedContext: string[] | null;
  /** Ask the IdP to authenticate the person again, whatever session it has (ForceAuthn). */
  forceAuthn?: boolean;
}

/**
 * The SP side of SAML per account: metadata, SP-initiated login (HTTP-Redirect) and the
 * ACS (also for IdP-initiated logins unless the account turned them off). MultiSamlStrategy picks
 * the account's IdP on each request; the domain decides who enters.
 */
export function samlRouter(deps: SamlDependencies, options: SamlRouteOptions, logger: Logger): Router {
  const router = Router();
  router.use('/sso', pageHeaders(), refuseUndecodablePath);
  const skewMs = options.clockSkewSeconds * 1000;
  const targets = new WeakMap<Request, Target>();
  let authenticator: Promise<passport.Authenticator> | undefined;
  const strategyFor = async () => {
    const { MultiSamlStrategy } = await samlLibrary();
    const instance = new passport.Passport();
    instance.use(
      'saml',
      new MultiSamlStrategy(
        {
          passReqToCallback: true,
          getSamlOptions: (req, done) => {
            const target = targets.get(req);
            if (!target) return done(new Error('no SSO target for this request'));
            const sp = spEndpoints(options.publicUrl, target.accountId);
            done(
              null,
              samlOptions(
                target.config,
                sp,
                requestStore(deps.signIns, target.actor),
                target.requestedContext,
                { spKey: options.spKey, sign: target.config.wantAuthnRequestsSigned },
                target.forceAuthn === true,
              ),
            );
          },
        },
        (
          _req: Request,
          profile: Profile | null,
          done: (err: Error | null, user?: Record<string, unknown>) => void,
        ) => done(null, profile ? { profile } : undefined),
        (_req: Request, _profile: Profile | null, done: (err: Error | null) => void) => done(null),
      ),
    );
    return instance;
  };

  /**
   * Shows the page; audits it unless the domain already did (`actor` null) or there is no account.
   * A sign-in a product started (its RelayState is the hand-off's return path) goes back to the
   * product instead, which receives access_denied with the reason.
   */
  const refuse = async (
    res: Response,
    actor: Actor | null,
    refusal: Refusal | { reason: SignInRefusal },
    relayState: string | null = null,
  ) => {
    if (actor && 'detail' in refusal)
      await deps.signIns.refuseResponse(actor, refusal.reason, refusal.detail);
    const toProduct = handOffRefusalPath(relayState, refusal.reason);
    if (toProduct) return void res.redirect(303, toProduct);
    res
      .status(refusal.reason === 'not_configured' ? 404 : 403)
      .type('html')
      .send(refusalPage(refusal.reason, requestIdOf(res)));
  };

  /** A SAML response refused at the ACS: a failed authentication, counted against the sender's address. */
  const refuseResponse = async (
    req: Request,
    res: Response,
    actor: Actor,
    refusal: Refusal,
    relayState: string | null = null,
  ) => {
    await deps.rateLimits.refused(req);
    await refuse(res, actor, refusal, relayState);
  };

  /** Loads the account's IdP; answers with a page itself when there is none. */
  const load = async (req: Request, res: Response): Promise<Target | null> => {
    const accountId = String(req.params.accountId);
    const found = isUuid(accountId) ? await deps.ssoConfig.forSignIn(accountId as AccountId) : null;
    if (!found) {
      res
        .status(404)
        .type('html')
        .send(refusalPage('not_configured', requestIdOf(res)));
      return null;
    }
    const actor = samlActor(accountId as AccountId, res);
    if (!found.config) {
      await refuse(res, actor, { reason: 'not_configured', detail: 'no IdP is configured' });
      return null;
    }
    if (found.config.wantAuthnRequestsSigned && !options.spKey) {
      await refuse(res, actor, {
        reason: 'not_configured',
        detail: 'the IdP wants signed AuthnRequests and Roster has no SAML key (SAML_SP_KEY_FILE)',
      });
      return null;
    }
    const requestedContext = await deps.stepUp.requestedContext(accountId as AccountId);
    return { accountId: accountId as AccountId, actor, config: found.config, requestedContext };
  };

  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    const instance = await (authenticator ??= strategyFor());
    return new Promise<{ err: unknown; user: { profile: Profile } | false }>((resolve) => {
      instance.authenticate('saml', { session: false }, (err: unknown, user: { profile: Profile } | false) =>
        resolve({ err, user }),
      )(req, res, next);
    });
  };

  router.get('/sso/:accountId/metadata', metadataRoute(deps, options, samlLibrary));

  router.get('/sso/:accountId/login', async (req, res, next) => {
    const target = await load(req, res);
    if (!target) return;
    const relayState = req.query.RelayState;
    if (relayState !== undefined && sameOriginPath(relayState, options.publicUrl) === null) {
      await refuse(res, target.actor, {
        reason: 'foreign_relay_state',
        detail: `RelayState ${String(relayState)} leaves Roster`,
      });
      return;
    }
    // A product that asked for a fresh login (prompt=login, max_age) asks the IdP for one too.
    targets.set(req, { ...target, forceAuthn: req.query.ForceAuthn === 'true' });
    const { err } = await authenticate(req, res, next);
    if (err) next(err);
  });

  router.post(
    '/sso/:accountId/acs',
    express.urlencoded({ extended: false, limit: '512kb' }),
    async (req, res, next) => {
      const target = await load(req, res);
      if (!target) return;
      const relayState = sameOriginPath(req.body?.RelayState, options.publicUrl);
      const encoded: unknown = req.body?.SAMLResponse;
      if (typeof encoded !== 'string' || !encoded) {
        await refuseResponse(
          req,
          res,
          target.actor,
          {
            reason: 'malformed',
            detail: 'no SAMLResponse in the form',
          },
          relayState,
        );
        return;
      }
      const sp = spEndpoints(options.publicUrl, target.accountId);
      const facts = precheckResponse(Buffer.from(encoded, 'base64').toString('utf8'), sp.acsUrl);
      if (isRefusal(facts)) return refuseResponse(req, res, target.actor, facts, relayState);
      if (facts.inResponseTo === null && !target.config.idpInitiated) {
        return refuseResponse(
          req,
          res,
          target.actor,
          {
            reason: 'idp_initiated_off',
            detail: 'IdP-initiated login is turned off',
          },
          relayState,
        );
      }
      targets.set(req, target);
      const { err, user } = await authenticate(req, res, next);
      if (err || !user)
        return refuseResponse(req, res, target.actor, refusalOf(err ?? new Error('no profile')), relayState);
      const assertion = checkAssertion(
        user.profile.getAssertionXml?.() ?? '',
        sp.acsUrl,
        deps.clock.now(),
        skewMs,
      );
      if (isRefusal(assertion)) return refuseResponse(req, res, target.actor, assertion, relayState);
      const nameId: unknown = user.profile.nameID;
      if (typeof nameId !== 'string' || !nameId.trim()) {
        const refusal = { reason: 'no_name_id', detail: 'the assertion has an empty NameID' } as const;
        return refuseResponse(req, res, target.actor, refusal, relayState);
      }
      const method = facts.inResponseTo ? 'sp-initiated' : 'idp-initiated';
      const samlSubject = samlSubjectOf(user.profile);
      const outcome = await deps.signIns.signIn(target.actor, {
        nameId,
        assertionId: assertion.assertionId,
        expires: assertion.expires,
        method,
        mfaEvidence: mfaEvidenceOf(user.profile.getAssertionXml?.() ?? ''),
      });
      if (!outcome.accepted && outcome.reason === 'mfa_step_up') {
        return stepUp.begin(res, target, outcome.userId, method, relayState, samlSubject);
      }
      const toProduct = outcome.accepted ? null : handOffRefusalPath(relayState, outcome.reason);
      if (toProduct) return res.redirect(303, toProduct);
      if (!outcome.accepted) {
        const policy = outcome.mfaBecause ? policyWords(outcome.mfaBecause, null) : undefined;
        res
          .status(403)
          .type('html')
          .send(refusalPage(outcome.reason, requestIdOf(res), policy));
        return;
      }
      await acceptLogin(res, target, { ...outcome, samlSubject }, relayState, null);
    },
  );

  /**
   * The one place a login is accepted (after the ACS, or after the TOTP step-up): the session
   * starts with how MFA was met, its cookie is set, and the browser goes on (303) to the
   * RelayState or the landing page; new backup codes are shown once first.
   */
  const acceptLogin = async (
    res: Response,
    target: Target,
    login: {
      userId: string;
      userName: string;
      roleName: string;
      mfa: MfaSatisfied;
      samlSubject: SamlSubject | null;
    },
    relayState: string | null,
    backupCodes: string[] | null,
  ): Promise<void> => {
    logger.info({ accountId: target.accountId, userId: login.userId, mfa: login.mfa }, 'SSO sign-in');
    const { secret, session } = await deps.sessions.start(
      target.actor,
      login.userId as UserId,
      login.mfa,
      login.samlSubject,
    );
    setSessionCookie(res, secret, session.absoluteExpires, options.publicUrl.startsWith('https:'));
    const onward = relayState ?? `/sso/${target.accountId}/home`;
    if (!backupCodes) return res.redirect(303, onward);
    res
      .status(200)
      .type('html')
      .send(backupCodesPage(login, onward, backupCodes));
  };

  const stepUp = stepUpRoutes(router, deps, options, { load, acceptLogin });
  const slo = sloRoutes(
    router,
    deps,
    options,
    { load, requestStore: (t) => requestStore(deps.signIns, t.actor) },
    logger,
  );
  router.use(sessionPages(deps, options, slo.logoutRedirect));

  // A bug, an outage or a rate limit: a plain page with the request id, never a stack trace.
  router.use('/sso', ssoErrorHandler(logger));
  return router;
}
