import type { ResponseRefusal } from '../../domain/sso/sign-in-rules';
import { children, elements, ns, parseXml } from './xml';

export interface Refusal {
  reason: ResponseRefusal;
  /** For the audit log and the operator; the person sees the page's words instead. */
  detail: string;
}

/** sha256 or better; SHA-1 signatures and digests are refused. */
const strongAlgorithms = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

const success = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export function isRefusal(value: object): value is Refusal {
  return 'reason' in value;
}

/**
 * What can be checked on the response before its signature (node-saml checks that next): that it
 * is a SAML Response, that it carries a signature at all, with strong algorithms, and that it was
 * sent to this account's ACS URL. Returns the InResponseTo (null for an IdP-initiated login).
 */
export function precheckResponse(xml: string, acsUrl: string): { inResponseTo: string | null } | Refusal {
  const doc = parseXml(xml);
  if ('problem' in doc) return { reason: 'malformed', detail: `not XML: ${doc.problem}` };
  const root = doc.documentElement;
  if (root.namespaceURI !== ns.samlp || root.localName !== 'Response') {
    return { reason: 'malformed', detail: 'not a SAML Response' };
  }
  const status = elements(root, ns.samlp, 'StatusCode')[0]?.getAttribute('Value') ?? success;
  if (status !== success) return { reason: 'idp_error', detail: `the IdP answered ${status}` };
  const signatures = elements(doc, ns.ds, 'Signature');
  // An encrypted assertion carries its signature inside: node-saml decrypts it, then checks it.
  const encrypted = elements(doc, ns.saml, 'EncryptedAssertion').length > 0;
  if (signatures.length === 0 && !encrypted)
    return { reason: 'unsigned', detail: 'neither the response nor the assertion is signed' };
  // Only the signatures' own algorithms: an encrypted key's RSA-OAEP names its digest (SHA-1) too.
  const algorithms = signatures
    .flatMap((signature) => [
      ...elements(signature, ns.ds, 'SignatureMethod'),
      ...elements(signature, ns.ds, 'DigestMethod'),
    ])
    .map((e) => e.getAttribute('Algorithm') ?? '');
  const weak = algorithms.find((a) => !strongAlgorithms.has(a));
  if (weak !== undefined)
    return { reason: 'weak_algorithm', detail: `algorithm ${weak || '(none)'} is not allowed` };
  const destination = root.getAttribute('Destination');
  if (destination && destination !== acsUrl) {
    return { reason: 'wrong_destination', detail: `Destination ${destination}, expected ${acsUrl}` };
  }
  return { inResponseTo: root.getAttribute('InResponseTo') || null };
}

export interface AssertionFacts {
  assertionId: string;
  /** The earliest NotOnOrAfter: the assertion is worthless after it. */
  expires: number;
}

const bearer = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** sso_assertions.assertion_id is VARCHAR(255); an IdP's ids are a few dozen characters. */
const maxAssertionIdLength = 255;

/**
 * Checks on the assertion node-saml verified (never the raw XML, which may carry a wrapped copy):
 * its subject is confirmed by the bearer method (the Web SSO profile's only one; holder-of-key or
 * sender-vouches would need proof Roster never asks for), that confirmation's Recipient is this ACS
 * URL, and now (give or take the clock skew) lies within NotBefore and NotOnOrAfter. node-saml's
 * own time check is off so that Roster's clock rules.
 */
export function checkAssertion(
  assertionXml: string,
  acsUrl: string,
  now: number,
  skewMs: number,
): AssertionFacts | Refusal {
  const doc = parseXml(assertionXml);
  if ('problem' in doc) return { reason: 'malformed', detail: doc.problem };
  const assertion = doc.documentElement;
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) return { reason: 'malformed', detail: 'the assertion has no ID' };
  if (assertionId.length > maxAssertionIdLength) {
    return {
      reason: 'malformed',
      detail: `the assertion ID is longer than ${maxAssertionIdLength} characters`,
    };
  }
  const confirmations = elements(assertion, ns.saml, 'SubjectConfirmation')
    .filter((c) => c.getAttribute('Method') === bearer)
    .flatMap((c) => children(c, ns.saml, 'SubjectConfirmationData'));
  if (confirmations.length === 0) {
    return { reason: 'malformed', detail: 'the subject is not confirmed by the bearer method' };
  }
  const recipients = confirmations.map((c) => c.getAttribute('Recipient'));
  if (!recipients.includes(acsUrl)) {
    return {
      reason: 'wrong_destination',
      detail: `Recipient ${recipients.join(', ') || '(none)'}, expected ${acsUrl}`,
    };
  }
  const conditions = children(assertion, ns.saml, 'Conditions');
  const windows = [...conditions, ...confirmations];
  const notBefore = times(windows, 'NotBefore');
  const notOnOrAfter = times(windows, 'NotOnOrAfter');
  if (notOnOrAfter.length === 0)
    return { reason: 'malformed', detail: 'the assertion never expires (no NotOnOrAfter)' };
  const starts = Math.max(...notBefore, -Infinity);
  const expires = Math.min(...notOnOrAfter);
  if (now + skewMs < starts) {
    return { reason: 'not_yet_valid', detail: `valid from ${new Date(starts).toISOString()}` };
  }
  if (now - skewMs >= expires) {
    return { reason: 'expired', detail: `expired at ${new Date(expires).toISOString()}` };
  }
  return { assertionId, expires: expires + skewMs };
}

function times(nodes: Element[], attribute: string): number[] {
  return nodes
    .map((n) => n.getAttribute(attribute))
    .filter((v): v is string => !!v)
    .map((v) => Date.parse(v))
    .filter((t) => !Number.isNaN(t));
}

/** node-saml's errors are bare messages; this is the one place that reads them. */
export function refusalOf(err: unknown): Refusal {
  const detail = err instanceof Error ? err.message : String(err);
  const table: [RegExp, ResponseRefusal][] = [
    [/InResponseTo/i, 'unknown_request'],
    [/audience/i, 'wrong_audience'],
    [/issuer/i, 'wrong_issuer'],
    [/signature|signed/i, 'bad_signature'],
    [/SAML provider returned/i, 'idp_error'],
  ];
  return { reason: table.find(([pattern]) => pattern.test(detail))?.[1] ?? 'malformed', detail };
}
