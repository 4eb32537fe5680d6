import type { SamlSubject } from '../sso/sso-ports';
import type { AccountId, UserId } from '../ids';

/** A user's TOTP authenticator (Roster's own step-up). */
export interface TotpEnrolment {
  accountId: AccountId;
  userId: UserId;
  /** The shared secret, encrypted (TotpCrypto.seal): never stored in clear. */
  sealedSecret: string;
  /** False until the user typed a first valid code: an unconfirmed secret may be replaced. */
  confirmed: boolean;
  /** Wrong codes since the last right one; at the limit the TOTP locks. */
  failedAttempts: number;
  lockedUntil: number | null;
  /** The RFC 6238 time step of the last accepted code: a code is used once. */
  lastStep: number | null;
  created: number;
}

/** A login whose SAML response was accepted but which still owes a TOTP code. */
export interface PendingLogin {
  /** SHA-256 of the random cookie value. */
  tokenHash: string;
  accountId: AccountId;
  userId: UserId;
  method: 'sp-initiated' | 'idp-initiated';
  relayState: string | null;
  /** Who the IdP named, kept for the session the code will start (single logout names it). */
  samlSubject: SamlSubject | null;
  expires: number;
}

export interface TotpRepository {
  getEnrolment(accountId: AccountId, userId: UserId): Promise<TotpEnrolment | null>;
  /** Inserts or replaces the user's enrolment. */
  saveEnrolment(enrolment: TotpEnrolment): Promise<void>;
  /** Removes the enrolment, its backup codes and pending logins; false when there was none. */
  deleteEnrolment(accountId: AccountId, userId: UserId): Promise<boolean>;
  replaceBackupCodes(accountId: AccountId, userId: UserId, codeHashes: readonly string[]): Promise<void>;
  /** Marks an unused backup code used; false when it is unknown or was used. */
  useBackupCode(accountId: AccountId, userId: UserId, codeHash: string, at: number): Promise<boolean>;
  /** Which of these users have a confirmed TOTP. */
  enrolledUserIds(accountId: AccountId, userIds: readonly UserId[]): Promise<Set<UserId>>;
  insertPending(pending: PendingLogin): Promise<void>;
  getPending(tokenHash: string): Promise<PendingLogin | null>;
  deletePending(tokenHash: string): Promise<void>;
  deletePendingFor(accountId: AccountId, userId: UserId): Promise<void>;
  purgePending(now: number): Promise<void>;
}

/** The cryptography of TOTP (an adapter: otplib and AES-GCM). */
export interface TotpCrypto {
  /** A new base32 shared secret. */
  newSecret(): string;
  seal(secret: string): string;
  open(sealed: string): string;
  /** The time step of `code` when it is valid at `at` (± one step), else null. */
  verify(secret: string, code: string, at: number): number | null;
  /** The otpauth:// URI an authenticator app reads (from a QR code or typed in). */
  keyUri(secret: string, label: string, issuer: string): string;
  /** A backup code a person can type: random, about 50 bits. */
  newBackupCode(): string;
}
