import type { CacheProvider, PassportSamlConfig } from '@node-saml/passport-saml';
import type { SsoConfig } from '../../domain/sso/sso-ports';

export const nameIdFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** The SP side of one account: what docs/sso.md tells an Okta or Entra admin to paste. */
export interface SpEndpoints {
  entityId: string;
  acsUrl: string;
  loginUrl: string;
  /** Single logout: the IdP's LogoutRequests and LogoutResponses come here. */
  sloUrl: string;
}

export function spEndpoints(publicUrl: string, accountId: string): SpEndpoints {
  const base = `${publicUrl}/sso/${accountId}`;
  return {
    entityId: `${base}/metadata`,
    acsUrl: `${base}/acs`,
    loginUrl: `${base}/login`,
    sloUrl: `${base}/slo`,
  };
}

/** Roster's SAML key pair (SAML_SP_KEY_FILE, SAML_SP_CERT_FILE), PEM. */
export interface SpKey {
  privateKey: string;
  cert: string;
}

/**
 * What Roster's key adds to node-saml's options: decryption of encrypted assertions (always, when
 * there is a key), the IdP's SLO URL and ours, and the signing key for requests when `sign` (the
 * IdP wants signed AuthnRequests, or the message is a LogoutRequest or LogoutResponse).
 */
export function keyOptions(config: SsoConfig, sp: SpEndpoints, spKey: SpKey | null, sign: boolean) {
  if (!spKey) return {};
  return {
    decryptionPvk: spKey.privateKey,
    logoutCallbackUrl: sp.sloUrl,
    ...(config.logoutUrl ? { logoutUrl: config.logoutUrl } : {}),
    ...(sign ? { privateKey: spKey.privateKey, publicCert: spKey.cert } : {}),
  };
}

/**
 * node-saml's options for one account, with its unsafe defaults replaced (architecture.md R6):
 * a signature is required on the response or on the assertion (node-saml demands the assertion's
 * own when the response has none), the audience is our entity id, the issuer is the account's IdP,
 * InResponseTo is checked against the database (always, when IdP-initiated logins are off), and
 * its own time check is off because Roster checks time with its clock (response-checks.ts).
 */
export function samlOptions(
  config: SsoConfig,
  sp: SpEndpoints,
  cacheProvider: CacheProvider,
  requestedContext: string[] | null = null,
  keys: { spKey: SpKey | null; sign: boolean } = { spKey: null, sign: false },
  forceAuthn = false,
): PassportSamlConfig {
  return {
    forceAuthn,
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    audience: sp.entityId,
    entryPoint: config.ssoUrl,
    idpIssuer: config.idpEntityId,
    idpCert: config.certificates.map((c) => c.pem),
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    acceptedClockSkewMs: -1,
    validateInResponseTo: config.idpInitiated ? 'ifPresent' : 'always',
    requestIdExpirationPeriodMs: 10 * 60_000,
    cacheProvider,
    identifierFormat: nameIdFormat,
    // Asks for MFA when the account requires it of everyone (the user is unknown before the
    // response): "exact" with the accepted values means any one of them. Otherwise nothing is asked.
    ...(requestedContext
      ? { authnContext: requestedContext, racComparison: 'exact', disableRequestedAuthnContext: false }
      : { disableRequestedAuthnContext: true }),
    passReqToCallback: true,
    ...keyOptions(config, sp, keys.spKey, keys.sign),
  } as PassportSamlConfig;
}
