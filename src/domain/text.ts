import { DomainError } from './errors';

/**
 * Text from requests, files and IdPs: how it is compared, and how long it may be. Every bound is
 * the size of the column that stores the value (or, for values kept only inside a JSON document,
 * a size a person could still read), checked on the value as stored, after normalisation, in
 * characters (code points, as MySQL/MariaDB count VARCHAR sizes), so that SQLite, which checks no
 * size, and MariaDB, which refuses a longer value, give the same answer: this one.
 */
export const textLimits = {
  /** VARCHAR(255): userName, externalId, names, emails, employeeNumber, group names, mapping values. */
  name: 255,
  /** user_emails.type_norm VARCHAR(64). */
  emailType: 64,
  /** support_sessions.agent VARCHAR(128). */
  agentName: 128,
  /** accounts.name, api_keys.label, scim_tokens.label VARCHAR(200). */
  label: 200,
  /** Attributes kept only in the user's SCIM document (title, addresses, phone numbers, …). */
  profileValue: 1024,
  /** A binary value in the SCIM document (x509Certificates.value: a base64 certificate). */
  binaryValue: 8192,
  /** Values of one multi-valued attribute (emails, phoneNumbers, …) in one user. */
  profileValues: 100,
  /** sso_configs.idp_entity_id, sso_certificates.subject, sso_sessions.mfa_detail VARCHAR(1024). */
  longName: 1024,
  /** sso_configs.sso_url and logout_url, sso_pending_logins.relay_state VARCHAR(2048). */
  url: 2048,
} as const;

/** Characters as MySQL/MariaDB count them (code points), not UTF-16 units. */
export function characterCount(text: string): number {
  // Fast path: no surrogate pairs, one unit per character.
  if (!/[\uD800-\uDFFF]/.test(text)) return text.length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** `text` cut to `max` characters with an ellipsis: for values that are only shown, never matched. */
export function shortened(text: string, max: number): string {
  return characterCount(text) <= max ? text : [...text].slice(0, max - 1).join('') + '…';
}

/** True when `text` has a lone surrogate, which no database can store as sent. */
export function hasLoneSurrogate(text: string): boolean {
  return /\p{Surrogate}/u.test(text);
}

/**
 * Lowercase, one character at a time, only where the character is the uppercase of its own
 * lowercase. Plain `toLowerCase` also folds compatibility look-alikes into other letters: KELVIN
 * SIGN (U+212A) becomes "k", ANGSTROM SIGN (U+212B) "å", "İ" becomes "i" plus a combining dot; then
 * "\u212Aate" would be the user "kate". Here those stay themselves, and "Kate" is still "kate".
 */
export function foldCase(text: string): string {
  if (/^[\u0000-\u007f]*$/.test(text)) return text.toLowerCase();
  let out = '';
  for (const c of text) {
    const l = c.toLowerCase();
    out += l !== c && l.toUpperCase() === c ? l : c;
  }
  return out;
}

/**
 * The comparison key of a case-insensitive value (RFC 7643 caseExact=false): trimmed and folded.
 * Stored in the `_norm` columns, and applied to filter values, so both sides match the same way.
 */
export function normalizeCaseInsensitive(text: string): string {
  return foldCase(text.trim());
}

/**
 * Refuses text that is not storable as sent: longer than `max` characters (as sent or as
 * `normalized`, the form the database stores beside it), `<area>.value_too_long`; or with a lone
 * surrogate, `<area>.invalid_text`.
 */
export function assertText(
  area: string,
  name: string,
  value: string | null | undefined,
  max: number,
  normalized?: (text: string) => string,
): void {
  if (value === null || value === undefined) return;
  if (hasLoneSurrogate(value)) {
    throw DomainError.invalid(
      `${area}.invalid_text`,
      `${name} is not valid Unicode text (it has a lone surrogate)`,
    );
  }
  const longest = Math.max(characterCount(value), normalized ? characterCount(normalized(value)) : 0);
  if (longest > max) {
    throw DomainError.invalid(`${area}.value_too_long`, `${name} is longer than ${max} characters`);
  }
}
