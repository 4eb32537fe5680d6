import { readIdpMetadata } from '../../src/adapters/saml/idp-metadata';
import { sameOriginPath } from '../../src/adapters/saml/pages';

const md = (inner: string, entityId = 'https://idp.example/e') =>
  `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
  `<EntityDescriptor entityID="${entityId}"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
  `${inner}</IDPSSODescriptor></EntityDescriptor></EntitiesDescriptor>`;
const key = (use: string | null, body = 'MIIBcert') =>
  `<KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate> ${body} </ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>`;
const redirect =
  '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>';

test.each([
  ['/', '/'],
  ['/reports?q=1#top', '/reports?q=1#top'],
  ['https://evil.example/', null],
  ['//evil.example/x', null],
  ['/\\evil.example', null],
  ['javascript:alert(1)', null],
  ['', null],
  [['/a', '/b'], null],
])('RelayState %p → %p', (relayState, expected) => {
  expect(sameOriginPath(relayState, 'https://roster.example.com')).toBe(expected);
});

test('metadata: signing keys (and keys without a use) are read, encryption keys are not; EntitiesDescriptor is fine', () => {
  const read = readIdpMetadata(
    md(key('signing', 'AAA') + key(null, 'BBB') + key('encryption', 'CCC') + redirect),
  );
  expect(read).toEqual({
    entityId: 'https://idp.example/e',
    ssoUrl: 'https://idp.example/sso',
    certificates: ['AAA', 'BBB'],
    logoutUrl: null,
    wantAuthnRequestsSigned: false,
  });
});

test('metadata: WantAuthnRequestsSigned="true" (or "1") is read; anything else is false', () => {
  const metadata = (value: string) =>
    md(key('signing', 'AAA') + redirect).replace(
      '<IDPSSODescriptor',
      `<IDPSSODescriptor WantAuthnRequestsSigned="${value}"`,
    );
  expect(readIdpMetadata(metadata('true'))).toMatchObject({ wantAuthnRequestsSigned: true });
  expect(readIdpMetadata(metadata('1'))).toMatchObject({ wantAuthnRequestsSigned: true });
  expect(readIdpMetadata(metadata('false'))).toMatchObject({ wantAuthnRequestsSigned: false });
});

test('metadata: the HTTP-Redirect SingleLogoutService is the logout URL', () => {
  const logout =
    '<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/slo-post"/>' +
    '<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/slo"/>';
  const read = readIdpMetadata(md(key('signing', 'AAA') + redirect + logout));
  expect(read).toMatchObject({ logoutUrl: 'https://idp.example/slo' });
});

test.each([
  ['not xml at all <', /does not parse as XML/],
  ['<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="sp"/>', /no IDPSSODescriptor/],
  [md(key('signing') + redirect, ''), /no entityID/],
  [md(key('signing')), /no SingleSignOnService with the HTTP-Redirect binding/],
  [md(key('encryption') + redirect), /no signing certificate/],
])('metadata refused, saying what is missing: %#', (xml, problem) => {
  const read = readIdpMetadata(xml);
  expect('problem' in read && read.problem).toMatch(problem);
});
