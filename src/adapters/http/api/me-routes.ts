import { z } from 'zod';
import type { SessionService } from '../../../domain/sso/session-service';
import type { SsoSession } from '../../../domain/sso/sso-ports';
import { apiRoute, type ApiRoute } from './api-route';
import { errorBody } from './api-schemas';

const meSchema = z.object({
  caller: z.object({
    kind: z.enum(['member', 'service', 'support']),
    agent: z.string().nullable().describe('The support agent, for a support session'),
  }),
  user: z
    .object({ id: z.string(), userName: z.string(), displayName: z.string().nullable() })
    .nullable()
    .describe('The member; null for the service key and support'),
  account: z.object({ id: z.string(), name: z.string() }),
  role: z.object({ key: z.string(), name: z.string() }).nullable(),
  permissions: z.array(z.string()).describe("The member's permissions (role, then per-user overrides)"),
  actions: z
    .array(z.string())
    .describe('What the caller may do on the account now, from the rule book: show or hide actions by it'),
  session: z
    .object({
      mfa: z.object({ method: z.enum(['idp', 'totp', 'not_required']), detail: z.string().nullable() }),
      started: z.string(),
      idleExpires: z.string(),
      absoluteExpires: z.string(),
      csrfToken: z
        .string()
        .describe('Send it as X-CSRF-Token on POST, PUT, PATCH and DELETE with the cookie'),
    })
    .nullable()
    .describe('The browser session, when the caller used the session cookie; null with an API key'),
});

const iso = (ms: number) => new Date(ms).toISOString();

/** GET /me: who the caller is (a browser session or a member API key), and how MFA was met. */
export function meRoutes(sessions: SessionService): ApiRoute[] {
  return [
    apiRoute({
      method: 'get',
      path: '/me',
      summary:
        'The caller: who, the account, role, permissions and the actions they may take; with the session cookie, MFA at login and the CSRF token',
      action: null,
      responses: {
        200: { description: 'Who you are and what you may do', schema: meSchema },
        401: { description: 'No valid credential', schema: errorBody },
      },
      handle: async ({ actor, res }) => {
        const session = (res.locals.session as SsoSession | undefined) ?? null;
        const me = await sessions.me(actor, session);
        return {
          ...me,
          session: me.session && {
            mfa: me.session.mfa,
            started: iso(me.session.started),
            idleExpires: iso(me.session.idleExpires),
            absoluteExpires: iso(me.session.absoluteExpires),
            csrfToken: sessions.csrfToken(String(res.locals.sessionSecret)),
          },
        };
      },
    }),
  ];
}
