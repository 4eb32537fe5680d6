import type { MfaEvidence } from '../../domain/mfa/mfa-policy';
import { children, elements, ns, parseXml } from './xml';

/**
 * Attributes that list how the user authenticated: Entra's authnmethodsreferences, and the
 * names Okta admins give an attribute mapped from `session.amr` (RFC 8176).
 */
export const authnMethodAttributes: readonly string[] = [
  'http://schemas.microsoft.com/claims/authnmethodsreferences',
  'amr',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6.amr',
];

const text = (el: Element) => (el.textContent ?? '').trim();

/**
 * What a validated assertion says about how the user signed in: its AuthnContextClassRefs and the
 * values of its authentication-method attributes. Read from the assertion node-saml verified
 * (getAssertionXml), so a wrapped or unsigned copy can never supply it.
 */
export function mfaEvidenceOf(assertionXml: string): MfaEvidence {
  const doc = parseXml(assertionXml);
  if ('problem' in doc) return {};
  const authnContextClassRefs = elements(doc, ns.saml, 'AuthnStatement').flatMap((statement) =>
    children(statement, ns.saml, 'AuthnContext').flatMap((context) =>
      children(context, ns.saml, 'AuthnContextClassRef').map(text),
    ),
  );
  const authnMethods = elements(doc, ns.saml, 'Attribute')
    .filter((attribute) => authnMethodAttributes.includes(attribute.getAttribute('Name') ?? ''))
    .flatMap((attribute) => children(attribute, ns.saml, 'AttributeValue').map(text));
  return { authnContextClassRefs, authnMethods };
}
