import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports';
import { DomainError } from '../../domain/errors';
import type { HandOffService } from '../../domain/oidc/hand-off-service';
import type { SessionService, SignedIn } from '../../domain/sso/session-service';
import type { SsoConfigService } from '../../domain/sso/sso-config-service';
import { requestIdOf } from '../http/request-context';
import { readSessionCookie } from '../http/session-cookie';
import { authenticationMethods } from './amr';
import { accessDenied, isHandOffRefusal, type HandOffRefusal } from './errors';
import { returnPath } from './interaction-return';

export interface InteractionDependencies {
  clock: Clock;
  handOff: HandOffService;
  sessions: SessionService;
  ssoConfig: SsoConfigService;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The provider's interactions: the login prompt becomes the account's SAML sign-in (signatures,
 * replay, conditions, who may enter, MFA: the code the SAML SP already runs). The interaction names
 * its account; the browser goes to `/sso/ACCOUNT/login` with the interaction's return path as
 * RelayState, and comes back with Roster's session, which finishes the interaction.
 */
export function interactionRoutes(
  provider: () => Promise<Provider>,
  deps: InteractionDependencies,
  logger: Logger,
): Router {
  const router = Router();

  const finish = async (req: Request, res: Response, result: Record<string, unknown>) => {
    await (await provider()).interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  };
  const refuse = (req: Request, res: Response, reason: HandOffRefusal) =>
    finish(req, res, accessDenied(reason));

  /** The interaction of this browser (its cookie), if it is the one in the URL. */
  const details = async (req: Request, res: Response): Promise<Details | null> => {
    let found: Details;
    try {
      found = await (await provider()).interactionDetails(req, res);
    } catch {
      res
        .status(400)
        .type('text/plain')
        .send('This sign-in expired or belongs to another browser; start again from the application.');
      return null;
    }
    if (found.uid !== String(req.params.uid)) {
      res
        .status(400)
        .type('text/plain')
        .send('This sign-in belongs to another browser; start again from the application.');
      return null;
    }
    return found;
  };

  const accountOf = (found: Details) =>
    deps.handOff.accountFor({
      account: typeof found.params.account === 'string' ? found.params.account : undefined,
      loginHint: typeof found.params.login_hint === 'string' ? found.params.login_hint : undefined,
    });

  router.get('/oidc/interaction/:uid', async (req, res) => {
    const found = await details(req, res);
    if (!found) return;
    const choice = await accountOf(found);
    if ('refused' in choice) return refuse(req, res, choice.refused);
    const idp = await deps.ssoConfig.forSignIn(choice.accountId);
    if (!idp?.config) return refuse(req, res, 'not_configured');
    // When the SAML sign-in began (ms): only a Roster session started after it finishes this interaction.
    await (
      await provider()
    ).interactionResult(
      req,
      res,
      { roster: { startedAt: deps.clock.now() } },
      { mergeWithLastSubmission: false },
    );
    const relayState = encodeURIComponent(returnPath(found.uid));
    const force = freshLoginAsked(found.params) ? '&ForceAuthn=true' : '';
    res.redirect(303, `/sso/${choice.accountId}/login?RelayState=${relayState}${force}`);
  });

  router.get('/oidc/interaction/:uid/login', async (req, res) => {
    const found = await details(req, res);
    if (!found) return;
    const choice = await accountOf(found);
    if ('refused' in choice) return refuse(req, res, choice.refused);
    const signedIn = await currentSession(req, res, deps.sessions);
    const roster = found.result?.roster as { startedAt?: unknown } | undefined;
    const startedAt = typeof roster?.startedAt === 'number' ? roster.startedAt : Infinity;
    // Only a Roster session that this interaction's SAML sign-in started finishes it: same account,
    // started after the interaction (an older session in the browser proves nothing about this one).
    if (!signedIn || signedIn.actor.accountId !== choice.accountId || signedIn.session.created < startedAt) {
      return refuse(req, res, 'session_missing');
    }
    const { amr, acr } = authenticationMethods(signedIn.session.mfa);
    logger.info(
      { accountId: choice.accountId, userId: signedIn.session.userId, requestId: requestIdOf(res) },
      'sign-in handed off to a product',
    );
    await finish(req, res, {
      login: {
        accountId: signedIn.session.userId,
        amr,
        acr,
        ts: Math.floor(signedIn.session.created / 1000),
      },
      roster: { ssoSessionId: signedIn.session.id },
    });
  });

  router.get('/oidc/interaction/:uid/refused', async (req, res) => {
    const found = await details(req, res);
    if (!found) return;
    const reason = req.query.reason;
    await refuse(req, res, isHandOffRefusal(reason) ? reason : 'session_missing');
  });

  return router;
}

async function currentSession(
  req: Request,
  res: Response,
  sessions: SessionService,
): Promise<SignedIn | null> {
  const secret = readSessionCookie(req);
  if (!secret) return null;
  try {
    return await sessions.authenticate(secret, 'saml', requestIdOf(res));
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'unauthenticated') return null;
    throw err;
  }
}

/** The product asked for a fresh authentication (OIDC prompt=login or max_age): so does the AuthnRequest. */
function freshLoginAsked(params: Record<string, unknown>): boolean {
  const prompt = typeof params.prompt === 'string' ? params.prompt.split(' ') : [];
  return prompt.includes('login') || params.max_age !== undefined;
}
