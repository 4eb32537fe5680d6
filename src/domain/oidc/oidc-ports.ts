import type { AccountId, UserId } from '../ids';

/** A product registered to sign its users in through Roster (one client serves every account). */
export interface OidcClient {
  id: string;
  name: string;
  /** Exact matches only (no wildcards, no prefixes). */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Where Roster posts a logout token when it ends a session by itself; null: not told. */
  backchannelLogoutUri: string | null;
  /** How the product sends its secret to the token endpoint (HTTP Basic or the form body). */
  authMethod: 'client_secret_basic' | 'client_secret_post';
  created: number;
  createdBy: string;
  revoked: number | null;
}

export interface OidcClientRepository {
  insert(client: OidcClient, secretHash: string): Promise<void>;
  /** The client with the digest of its secret, revoked ones included. */
  get(clientId: string): Promise<(OidcClient & { secretHash: string }) | null>;
  list(): Promise<OidcClient[]>;
  revoke(clientId: string, at: number, by: string): Promise<boolean>;
}

/** An email domain an account claimed: logins with `login_hint` at it go to that account. */
export interface AccountDomain {
  /** Lowercase ASCII (IDNA, punycode for non-ASCII labels): the unique key. */
  domain: string;
  accountId: AccountId;
  created: number;
  createdBy: string;
}

export interface AccountDomainRepository {
  /** False when the domain is held already (the unique key decides, whoever raced). */
  insert(domain: AccountDomain): Promise<boolean>;
  find(domain: string): Promise<AccountDomain | null>;
  delete(accountId: AccountId, domain: string): Promise<boolean>;
  list(accountId: AccountId): Promise<AccountDomain[]>;
}

/** The ID token signing key; the private half only ever sealed under the key-encryption key. */
export interface SigningKey {
  kid: string;
  alg: 'RS256';
  /** The public JWK, as published. */
  publicJwk: Record<string, unknown>;
  sealedPrivateJwk: string;
  created: number;
  /** When a newer key replaced it; it stays published until tokens it signed have expired. */
  retired: number | null;
}

export interface SigningKeyRepository {
  insert(key: SigningKey): Promise<void>;
  /** Newest first. */
  list(): Promise<SigningKey[]>;
  retire(kid: string, at: number): Promise<void>;
  delete(kid: string): Promise<void>;
}

/** One product (client) a hand-off session signed in, with the `sid` its ID tokens carry. */
export interface SignedInClient {
  clientId: string;
  sid: string;
}

/** What the OpenID Provider keeps of a browser's sign-in (its "Session"), as the domain sees it. */
export interface HandOffSession {
  /** Stable across the provider's identifier rotation; what Roster's session links to. */
  uid: string;
  userId: UserId;
  clients: SignedInClient[];
}

/**
 * The OpenID Provider's records (codes, grants, tokens, sessions, interactions), one table. The
 * provider's adapter stores through `payloads`; the domain ends a user's records through the rest.
 */
export interface OidcPayloadRepository {
  upsert(record: OidcPayloadRecord): Promise<void>;
  /** Unexpired only. */
  find(model: string, id: string, now: number): Promise<OidcStoredPayload | null>;
  findByUid(model: string, uid: string, now: number): Promise<OidcStoredPayload | null>;
  findByUserCode(model: string, userCode: string, now: number): Promise<OidcStoredPayload | null>;
  /** Marks it used; false when it already was (two instances racing for one code). */
  consume(model: string, id: string, at: number): Promise<boolean>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
  /** The hand-off sessions of these users, unexpired. */
  sessionsOf(userIds: readonly UserId[], now: number): Promise<HandOffSession[]>;
  sessionByUid(uid: string, now: number): Promise<HandOffSession | null>;
  /** Deletes every record (sessions, grants, codes, tokens) of these users; returns how many. */
  deleteForUsers(userIds: readonly UserId[]): Promise<number>;
  /** Deletes a session and every grant it made (codes and tokens of those grants too). */
  deleteSession(uid: string): Promise<void>;
  /** Deletes up to `limit` records past their expiry; returns how many. */
  sweep(now: number, limit: number): Promise<number>;
}

export interface OidcPayloadRecord {
  model: string;
  id: string;
  payload: string;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  userId: string | null;
  expires: number | null;
}

export interface OidcStoredPayload {
  payload: string;
  consumed: number | null;
}

/** Key material for ID token signatures: made and sealed by an adapter (the domain holds no crypto). */
export interface SigningKeyCrypto {
  /** A new RS256 key pair: its id, public JWK and sealed private JWK. */
  generate(): { kid: string; publicJwk: Record<string, unknown>; sealedPrivateJwk: string };
  open(sealedPrivateJwk: string): Record<string, unknown>;
}

/** Roster ended these hand-off sessions: each product that has a back-channel URI is to be told. */
export interface HandOffSessionsEnded {
  kind: 'hand_off_sessions_ended';
  accountId: AccountId;
  userId: UserId;
  reason: string;
  sessions: HandOffSession[];
}
