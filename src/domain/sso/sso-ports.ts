import type { AccountId, UserId } from '../ids';
import type { User } from '../users/user';

/** One of the IdP's signing certificates; several are active at once while the IdP rotates keys. */
export interface SsoCertificate {
  /** SHA-256 of the DER bytes, lowercase hex: how an admin tells certificates apart. */
  fingerprint: string;
  pem: string;
  subject: string;
  notBefore: number;
  notAfter: number;
}

/** An account's IdP, as Roster trusts it. */
export interface SsoConfig {
  accountId: AccountId;
  idpEntityId: string;
  /** Where SP-initiated logins send the AuthnRequest (HTTP-Redirect binding). */
  ssoUrl: string;
  certificates: SsoCertificate[];
  /** Logins the IdP starts (a dashboard tile) are accepted unless the account turned them off. */
  idpInitiated: boolean;
  /** Where logout sends the browser afterwards (the IdP's SingleLogoutService); null: Roster's page. */
  logoutUrl: string | null;
  /** The IdP's metadata asks for signed AuthnRequests (WantAuthnRequestsSigned). */
  wantAuthnRequestsSigned: boolean;
  /** Browser session lifetimes; null: Roster's defaults (session-service.ts). */
  sessionIdleMinutes: number | null;
  sessionAbsoluteMinutes: number | null;
  updated: number;
}

/** What an IdP metadata document says, once read. */
export interface IdpDescriptor {
  entityId: string;
  ssoUrl: string;
  /** Base64 DER or PEM, as the metadata carries them. */
  certificates: string[];
  /** The SingleLogoutService location (HTTP-Redirect), when the metadata has one. */
  logoutUrl?: string | null;
  wantAuthnRequestsSigned?: boolean;
}

/** Reads IdP metadata XML (an adapter: the domain does not parse XML). */
export type IdpMetadataReader = (xml: string) => IdpDescriptor | { problem: string };

export type SignInMethod = 'sp-initiated' | 'idp-initiated';

export interface SsoRepository {
  getConfig(accountId: AccountId): Promise<SsoConfig | null>;
  /** Inserts or replaces the account's IdP and its certificates. */
  saveConfig(config: SsoConfig): Promise<void>;
  deleteConfig(accountId: AccountId): Promise<boolean>;
  insertRequest(accountId: AccountId, requestId: string, at: number, expires: number): Promise<void>;
  /** The request's expiry, if this account issued it and it was not used yet. */
  requestExpiry(accountId: AccountId, requestId: string): Promise<number | null>;
  deleteRequest(accountId: AccountId, requestId: string): Promise<void>;
  /** Remembers an assertion id until `expires`; false when it was already used. */
  rememberAssertion(accountId: AccountId, assertionId: string, expires: number): Promise<boolean>;
  /** Forgets request and assertion ids past their expiry (they can no longer be accepted anyway). */
  purgeExpired(accountId: AccountId, now: number): Promise<void>;
  /** Users whose primary email is `email` (case-insensitive). */
  findByPrimaryEmail(accountId: AccountId, email: string): Promise<User[]>;
  recordSignIn(accountId: AccountId, userId: UserId, at: number, method: SignInMethod): Promise<void>;
}

/** The person as the IdP's assertion named them (NameID and SessionIndex). */
export interface SamlSubject {
  nameId: string;
  nameIdFormat: string | null;
  sessionIndex: string | null;
}

/** How the person proved a second factor when the session began (another branch fills it in). */
export interface SessionMfa {
  method: 'idp' | 'totp' | 'not_required';
  /** E.g. the IdP's AuthnContextClassRef or amr value; null when there is nothing to say. */
  detail: string | null;
}

/** A browser session after a SAML sign-in; the cookie value itself is never stored. */
export interface SsoSession {
  id: string;
  accountId: AccountId;
  userId: UserId;
  created: number;
  lastSeen: number;
  idleExpires: number;
  absoluteExpires: number;
  idleMinutes: number;
  mfa: SessionMfa;
  /** Who the IdP said signed in: what a single-logout request names. Null for sessions before it was kept. */
  samlSubject: SamlSubject | null;
  /** The product sign-in (OpenID Provider session) this session's login created; null if none. */
  handOffUid: string | null;
}

export interface SsoSessionRepository {
  insert(session: SsoSession, tokenHash: string): Promise<void>;
  findByHash(tokenHash: string): Promise<SsoSession | null>;
  /** Records use: pushes the idle end forward. */
  touch(sessionId: string, at: number, idleExpires: number): Promise<void>;
  delete(sessionId: string): Promise<boolean>;
  /** Ends every session of these users; returns the ids ended per user. */
  deleteForUsers(accountId: AccountId, userIds: readonly UserId[]): Promise<Map<UserId, string[]>>;
  /**
   * Forgets the account's sessions past either end (they can no longer be used anyway), except those
   * tied to a product sign-in: the hand-off sweep ends those and tells the product.
   */
  purgeExpired(accountId: AccountId, now: number): Promise<void>;
  /** The account's sessions the IdP named in a LogoutRequest (its NameID, and SessionIndex if given). */
  findBySamlSubject(accountId: AccountId, nameId: string, sessionIndex: string | null): Promise<SsoSession[]>;
  /** Ties a session to the product sign-in (provider session uid) its login created. */
  link(sessionId: string, handOffUid: string): Promise<void>;
  findByHandOff(handOffUid: string): Promise<SsoSession[]>;
  /** Sessions tied to a product sign-in that passed either end, across accounts, oldest first. */
  expiredHandOffs(now: number, limit: number): Promise<SsoSession[]>;
}
