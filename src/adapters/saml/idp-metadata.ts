import type { IdpDescriptor } from '../../domain/sso/sso-ports';
import { elements, ns, parseXml } from './xml';

const redirectBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/**
 * Reads what Roster needs from IdP metadata (Okta's "Identity Provider metadata", Entra's
 * "Federation Metadata XML"): the entity id, the HTTP-Redirect SSO URL and the signing
 * certificates. Each missing piece is named, so the admin knows what to fix.
 */
export function readIdpMetadata(xml: string): IdpDescriptor | { problem: string } {
  const doc = parseXml(xml);
  if ('problem' in doc) return { problem: `it does not parse as XML (${doc.problem})` };
  const idp = elements(doc, ns.md, 'IDPSSODescriptor')[0];
  if (!idp) return { problem: 'it has no IDPSSODescriptor (is this the metadata of an identity provider?)' };
  const entity = idp.parentNode as { getAttribute?: (name: string) => string | null } | null;
  const entityId = entity?.getAttribute?.('entityID')?.trim();
  if (!entityId) return { problem: 'its EntityDescriptor has no entityID' };
  const services = elements(idp, ns.md, 'SingleSignOnService');
  const redirect = services.find((s) => s.getAttribute('Binding') === redirectBinding);
  const ssoUrl = redirect?.getAttribute('Location')?.trim();
  if (!ssoUrl) return { problem: 'it has no SingleSignOnService with the HTTP-Redirect binding' };
  const certificates = elements(idp, ns.md, 'KeyDescriptor')
    .filter((k) => (k.getAttribute('use') || 'signing') === 'signing')
    .flatMap((k) => elements(k, ns.ds, 'X509Certificate'))
    .map((c) => (c.textContent ?? '').trim())
    .filter((text) => text.length > 0);
  if (certificates.length === 0)
    return { problem: 'it has no signing certificate (KeyDescriptor use="signing")' };
  const logout = elements(idp, ns.md, 'SingleLogoutService').find(
    (s) => s.getAttribute('Binding') === redirectBinding,
  );
  const logoutUrl = logout?.getAttribute('Location')?.trim() || null;
  const wantAuthnRequestsSigned = /^(true|1)$/i.test(idp.getAttribute('WantAuthnRequestsSigned') ?? '');
  return { entityId, ssoUrl, certificates, logoutUrl, wantAuthnRequestsSigned };
}
