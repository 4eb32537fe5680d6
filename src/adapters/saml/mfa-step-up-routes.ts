import express, { type Request, type Response, type Router } from 'express';
import { DomainError } from '../../domain/errors';
import type { UserId } from '../../domain/ids';
import type { MfaSatisfied } from '../../domain/mfa/mfa-login';
import type { SamlSubject, SignInMethod } from '../../domain/sso/sso-ports';
import { handOffRefusalPath } from '../oidc/interaction-return';
import { stepUpEndedPage, stepUpPage } from './mfa-pages';
import type { SamlDependencies, SamlRouteOptions, Target } from './sp-router';

const cookieName = 'roster_mfa_pending';
const cookieMaxAgeSeconds = 5 * 60;

interface RouterParts {
  load(req: Request, res: Response): Promise<Target | null>;
  acceptLogin(
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
  ): Promise<void>;
}

const stepUpPath = (accountId: string) => `/sso/${accountId}/mfa`;

function pendingToken(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookieName) return decodeURIComponent(value.join('='));
  }
  return null;
}

/**
 * Roster's TOTP step-up in the browser: the ACS shows the code page and sets a
 * short-lived random cookie naming the pending login (HttpOnly, SameSite=Lax, scoped to the
 * step-up path, hashed in the database); POST /sso/:accountId/mfa checks the code.
 */
export function stepUpRoutes(
  router: Router,
  deps: SamlDependencies,
  options: SamlRouteOptions,
  parts: RouterParts,
) {
  const secure = options.publicUrl.startsWith('https:') ? '; Secure' : '';
  const setCookie = (res: Response, accountId: string, value: string, maxAge: number) =>
    res.setHeader(
      'Set-Cookie',
      `${cookieName}=${encodeURIComponent(value)}; Path=${stepUpPath(accountId)}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`,
    );

  router.post(
    '/sso/:accountId/mfa',
    express.urlencoded({ extended: false, limit: '8kb' }),
    async (req, res) => {
      const target = await parts.load(req, res);
      if (!target) return;
      const token = pendingToken(req);
      const code: unknown = req.body?.code;
      const result =
        token && typeof code === 'string' && code.length <= 64
          ? await deps.stepUp.complete(target.actor, token, code)
          : ({ kind: 'expired', relayState: null } as const);
      if (result.kind === 'wrong_code') {
        const prompt = await deps.stepUp.promptFor(target.actor, token ?? '');
        if (prompt) {
          res
            .status(401)
            .type('html')
            .send(
              stepUpPage(
                prompt,
                stepUpPath(target.accountId),
                `That code is not right. ${result.attemptsLeft} tries left before your authenticator is locked.`,
              ),
            );
          return;
        }
      }
      if (result.kind !== 'accepted') {
        setCookie(res, target.accountId, '', 0);
        // A product's sign-in hears access_denied at its redirect_uri, not a page it never sees.
        const toProduct = handOffRefusalPath(
          'relayState' in result ? result.relayState : null,
          'mfa_step_up_failed',
        );
        if (toProduct) return void res.redirect(303, toProduct);
        res
          .status(403)
          .type('html')
          .send(
            stepUpEndedPage(
              result.kind === 'locked' ? 'locked' : 'expired',
              result.kind === 'locked' ? result.until : null,
            ),
          );
        return;
      }
      setCookie(res, target.accountId, '', 0);
      await parts.acceptLogin(res, target, result, result.relayState, result.backupCodes);
    },
  );

  return {
    /** Called by the ACS when the IdP did not prove MFA and the account allows the step-up. */
    begin: async (
      res: Response,
      target: Target,
      userId: UserId,
      method: SignInMethod,
      relayState: string | null,
      samlSubject: SamlSubject | null,
    ) => {
      let started: Awaited<ReturnType<typeof deps.stepUp.begin>>;
      try {
        started = await deps.stepUp.begin(target.actor, userId, method, relayState, samlSubject);
      } catch (err) {
        // No MFA_TOTP_KEY: say so rather than fail with a bare error page.
        if (!(err instanceof DomainError && err.code === 'mfa.totp_unavailable')) throw err;
        res.status(503).type('html').send(stepUpEndedPage('unavailable', null));
        return;
      }
      const { token, prompt } = started;
      if (prompt.lockedUntil !== null) {
        const toProduct = handOffRefusalPath(relayState, 'mfa_step_up_failed');
        if (toProduct) return void res.redirect(303, toProduct);
        res.status(403).type('html').send(stepUpEndedPage('locked', prompt.lockedUntil));
        return;
      }
      setCookie(res, target.accountId, token, cookieMaxAgeSeconds);
      res
        .status(200)
        .type('html')
        .send(stepUpPage(prompt, stepUpPath(target.accountId), null));
    },
  };
}
