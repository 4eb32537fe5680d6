import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { HandOffService } from '../../domain/oidc/hand-off-service';
import type { PublishedKey } from '../../domain/oidc/signing-key-service';
import { sessionCookieName } from '../http/session-cookie';
import type { SingleLogout } from '../saml/single-logout';
import { logoutReturnPath } from './interaction-return';
import { acrValues } from './amr';
import type { BackchannelLogout } from './backchannel-logout';
import { claimsOf } from './claims';
import { errorPage, logoutPage, signedOutPage } from './pages';

export interface ProviderOptions {
  /** `${PUBLIC_URL}/oidc`. */
  issuer: string;
  keys: readonly PublishedKey[];
  cookieKeys: readonly string[];
  adapter: NonNullable<Configuration['adapter']>;
  handOff: HandOffService;
  /** SAML single logout of the session a product logged out of, when the account's IdP has it. */
  singleLogout?: SingleLogout;
  /** Roster's back-channel sender: a product's logout tells the others through it. */
  backchannel?: Pick<BackchannelLogout, 'sendLater'>;
}

type OidcLibrary = typeof import('oidc-provider');
let library: Promise<OidcLibrary> | undefined;

/**
 * oidc-provider loads with the first /oidc request, so a server without the hand-off (and the CLI)
 * never loads it (it also prints a warning on Node 20: docs/decisions.md).
 */
export function oidcProvider(): Promise<OidcLibrary> {
  return (library ??= import('oidc-provider'));
}

/** How long each record lives, in seconds (the provider's `ttl`). */
export const lifetimes = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  IdToken: 60 * 60,
  Interaction: 10 * 60,
  // The Roster session tied to it decides when a sign-in really ends (the roster_access check,
  // the hand-off sweep); the provider's own records just must not outlive the longest one.
  Session: 30 * 24 * 60 * 60,
  Grant: 30 * 24 * 60 * 60,
} as const;

/** Back-channel requests the provider sends itself (RP-initiated logout): bounded, never redirected. */
const boundedFetch = (url: string | URL | Request, init?: RequestInit) =>
  globalThis.fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(5_000) });

/**
 * Roster's OpenID Provider (oidc-provider): authorization code with PKCE (S256, required) only,
 * exact redirect URIs, no implicit, hybrid or password flows, no refresh tokens; every record in the
 * database (oidc-store.ts); keys from the database (signing-key-service.ts). Roster's own rules are
 * `Check`s in the login prompt; the SAML hop lives in interaction-routes.ts.
 */
export async function buildProvider(options: ProviderOptions): Promise<Provider> {
  const { handOff } = options;
  const library = await oidcProvider();
  const provider: Provider = new library.default(options.issuer, {
    adapter: options.adapter,
    clients: [],
    jwks: { keys: options.keys.map((k) => k.privateJwk) },
    cookies: {
      keys: [...options.cookieKeys],
      names: { session: 'roster_oidc', interaction: 'roster_oidc_interaction', resume: 'roster_oidc_resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    findAccount: async (ctx, sub, token) => {
      const claims = await handOff.claimsFor(sub);
      if (!claims) return undefined;
      return {
        accountId: sub,
        claims: async (use: string) => {
          // The provider session of this sign-in: the code's or token's, else the browser's.
          const sessionUid = token && 'sessionUid' in token ? token.sessionUid : undefined;
          const session =
            typeof sessionUid === 'string'
              ? await ctx.oidc.provider.Session.findByUid(sessionUid)
              : ctx.oidc.session;
          const clientId = token?.clientId ?? ctx.oidc.client?.clientId;
          const sid = clientId ? session?.authorizations?.[clientId]?.sid : undefined;
          return claimsOf(claims, { session: use === 'userinfo' ? session : undefined, sid });
        },
      };
    },
    // How the person signed in (acr, amr, auth_time, sid) comes with `openid`: a product needs it
    // to decide what a session may do, so it is never left to an optional request.
    claims: {
      openid: [
        'sub',
        'account_id',
        'account_name',
        'role',
        'role_name',
        'permissions',
        'acr',
        'amr',
        'auth_time',
        'sid',
      ],
      email: ['email'],
      profile: ['name', 'preferred_username'],
    },
    // Scope-requested claims go in the ID token too: a product reads who signed in without userinfo.
    conformIdTokenClaims: false,
    scopes: ['openid', 'email', 'profile'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256'],
      userinfoSigningAlgValues: ['RS256'],
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'],
    },
    acrValues,
    extraParams: ['account'],
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = signedOutPage();
        },
      },
    },
    ttl: { ...lifetimes },
    loadExistingGrant,
    interactions: {
      url: (_ctx, interaction) => `/oidc/interaction/${interaction.uid}`,
      policy: policy(library.interactionPolicy, handOff),
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
    fetch: boundedFetch,
  });
  // Behind a TLS-terminating proxy: secure cookies and https URLs follow X-Forwarded-Proto.
  provider.proxy = true;
  // The supported way to keep only a digest of client secrets (client-metadata.ts).
  (
    provider.Client.prototype as unknown as { compareClientSecret: (a: string) => boolean }
  ).compareClientSecret = function (this: { clientSecret?: string }, actual: string) {
    const expected = Buffer.from(this.clientSecret ?? '', 'utf8');
    const given = Buffer.from(hash('sha256', String(actual), 'hex'), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  // A product's logout tells the other products through Roster's sender, as every other session end
  // does: in the background (the browser does not wait for them), retried, and to any address the
  // operator registered (the provider's own fetch refuses private addresses, where products often are).
  const backchannel = options.backchannel;
  if (backchannel) {
    (
      provider.Client.prototype as unknown as {
        backchannelLogout: (sub: string, sid: string) => Promise<void>;
      }
    ).backchannelLogout = async function (this: { clientId: string }, sub: string, sid: string) {
      backchannel.sendLater(this.clientId, sub, sid, 'product_logout');
    };
  }
  provider.use(tieSessions(handOff, options.singleLogout));
  return provider;
}

/**
 * Every registered product is the operator's own: no consent screen. A signed-in person gets a
 * grant of Roster's scopes for the product the first time it asks.
 */
async function loadExistingGrant(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const client = oidc.client;
  if (!client) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (existing) return existing;
  const accountId = oidc.session?.accountId;
  if (!accountId) return undefined;
  const grant = new oidc.provider.Grant({ clientId: client.clientId, accountId });
  grant.addOIDCScope('openid email profile');
  await grant.save();
  return grant;
}

/** Roster's rules in the login prompt: each asks for a new sign-in when it no longer holds. */
function policy(interactionPolicy: OidcLibrary['interactionPolicy'], handOff: HandOffService) {
  const prompts = interactionPolicy.base();
  const login = prompts.get('login');
  if (!login) throw new Error('oidc-provider has no login prompt');
  login.checks.add(
    new interactionPolicy.Check(
      'roster_access',
      'the Roster sign-in behind this session ended, or its user lost access',
      async (ctx) => {
        const { session, result } = ctx.oidc;
        // Just signed in (the resume of this very interaction): the tie is made once it completes.
        if (!session?.accountId || result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        return !(await handOff.isLive(session.uid));
      },
    ),
  );
  login.checks.add(
    new interactionPolicy.Check(
      'roster_account',
      'the request names another account than the one signed in',
      async (ctx) => {
        const { session, params } = ctx.oidc;
        if (!session?.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        const choice = await handOff.accountFor({
          account: typeof params?.account === 'string' ? params.account : undefined,
          loginHint: typeof params?.login_hint === 'string' ? params.login_hint : undefined,
        });
        if ('refused' in choice) return choice.refused !== 'no_account_named';
        const claims = await handOff.claimsFor(session.accountId);
        return claims?.accountId !== choice.accountId;
      },
    ),
  );
  return prompts;
}

/**
 * Keeps Roster's session and the provider's one: when a sign-in resumes, the provider session is
 * tied to the Roster session the SAML login started; when a product logs the person out, the Roster
 * sessions tied to it end (the provider tells the other products itself) and the cookie goes. When
 * the account's IdP has single logout, the browser goes through it (a signed LogoutRequest) before
 * it reaches where the provider was sending it (the product's post-logout URI with its state).
 */
function tieSessions(handOff: HandOffService, singleLogout: SingleLogout | undefined) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const route = ctx.oidc?.route;
    const session = ctx.oidc?.session as { uid?: string; destroyed?: boolean } | undefined;
    if (route === 'resume' && session?.uid) {
      const roster = ctx.oidc.result?.roster as { ssoSessionId?: unknown } | undefined;
      if (typeof roster?.ssoSessionId === 'string') await handOff.link(roster.ssoSessionId, session.uid);
    }
    if (route === 'end_session_confirm' && session?.destroyed && session.uid) {
      const ended = await handOff.providerSessionEnded(session.uid);
      ctx.cookies.set(sessionCookieName, null, { path: '/', httpOnly: true, sameSite: 'lax', signed: false });
      const returnTo = ctx.response.get('location');
      const saml = ended.find((s) => s.samlSubject !== null);
      if (!singleLogout || !saml || ctx.status !== 303 || !returnTo) return;
      const key = randomBytes(18).toString('base64url');
      const toIdp = await singleLogout(saml, logoutReturnPath(key));
      if (!toIdp) return;
      await handOff.awaitIdpLogout(key, returnTo);
      ctx.redirect(toIdp);
      ctx.status = 303;
    }
  };
}
