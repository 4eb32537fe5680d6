import type { CacheProvider, Profile, SAML } from '@node-saml/passport-saml';
import { isUuid, type AccountId } from '../../domain/ids';
import type { SignInService } from '../../domain/sso/sign-in-service';
import type { SsoConfigService } from '../../domain/sso/sso-config-service';
import type { SsoConfig, SsoSession } from '../../domain/sso/sso-ports';
import { requestStore, samlLibrary } from './saml-library';
import { nameIdFormat, samlOptions, spEndpoints, type SpKey } from './saml-options';

export interface SingleLogoutOptions {
  publicUrl: string;
  /** Logout messages are signed: without Roster's SAML key there is no single logout. */
  spKey: SpKey | null;
}

/**
 * Where a session's end sends the browser so the IdP ends its own: a signed LogoutRequest
 * (HTTP-Redirect) naming the session's NameID and SessionIndex, with `relayState` (a Roster path
 * the IdP's LogoutResponse returns to). Null when the account's IdP has no SLO endpoint, Roster
 * has no SAML key, or the session did not come from a SAML sign-in.
 */
export type SingleLogout = (session: SsoSession, relayState: string) => Promise<string | null>;

/** node-saml for one account's logout messages: signs them, checks the IdP's, and their InResponseTo. */
export async function logoutClient(
  target: { accountId: AccountId; config: SsoConfig },
  options: SingleLogoutOptions,
  store: CacheProvider,
): Promise<SAML> {
  const { SAML } = await samlLibrary();
  const sp = spEndpoints(options.publicUrl, target.accountId);
  const config = samlOptions(target.config, sp, store, null, { spKey: options.spKey, sign: true });
  return new SAML({ ...config, passReqToCallback: undefined } as ConstructorParameters<typeof SAML>[0]);
}

export function singleLogout(
  deps: { ssoConfig: SsoConfigService; signIns: SignInService },
  options: SingleLogoutOptions,
): SingleLogout {
  return async (session, relayState) => {
    const { accountId } = session;
    if (!options.spKey || !session.samlSubject || !isUuid(accountId)) return null;
    const config = (await deps.ssoConfig.forSignIn(accountId))?.config;
    if (!config?.logoutUrl) return null;
    const actor = { kind: 'system', accountId, job: 'saml-sso', channel: 'saml' } as const;
    const saml = await logoutClient({ accountId, config }, options, requestStore(deps.signIns, actor));
    const subject = session.samlSubject;
    return saml.getLogoutUrlAsync(
      {
        issuer: config.idpEntityId,
        nameID: subject.nameId,
        nameIDFormat: subject.nameIdFormat ?? nameIdFormat,
        ...(subject.sessionIndex ? { sessionIndex: subject.sessionIndex } : {}),
      } as Profile,
      relayState,
      {},
    );
  };
}
