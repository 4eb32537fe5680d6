import { createPublicKey, createVerify, randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';
import * as xmlenc from 'xml-encryption';

/**
 * A real SAML IdP for tests (shared/design/stack.md): its own RSA keys and certificate from
 * selfsigned, responses signed with xml-crypto (rsa-sha256, exc-c14n, enveloped signature placed
 * after the Issuer; the assertion first, then the response). Attacks are made by changing the
 * signed XML as an attacker would, never by posting hand-written strings.
 */
const samlp = 'urn:oasis:names:tc:SAML:2.0:protocol';
const saml = 'urn:oasis:names:tc:SAML:2.0:assertion';
const excC14n = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const enveloped = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const algorithms = {
  sha256: {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
  },
  sha1: {
    signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
  },
} as const;

export interface KeyPair {
  cert: string;
  privateKey: string;
}

/** A self-signed certificate; `validDays` negative gives one that already expired. */
export async function keyPair(commonName = 'Test IdP', validDays = 365): Promise<KeyPair> {
  const day = 24 * 60 * 60_000;
  const end = Date.now() + validDays * day;
  const generated = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Math.min(Date.now(), end) - 30 * day),
    notAfterDate: new Date(end),
  });
  return { cert: generated.cert, privateKey: generated.private };
}

export interface ResponseOptions {
  nameId: string;
  /** The SP: where the response goes and who it is for. */
  acsUrl: string;
  audience: string;
  inResponseTo?: string;
  /** Time of issue (ms); the assertion is valid from a minute before to five minutes after. */
  now: number;
  validFrom?: number;
  validUntil?: number;
  destination?: string;
  recipient?: string;
  sign?: 'assertion' | 'response' | 'both' | 'none';
  algorithm?: keyof typeof algorithms;
  assertionId?: string;
  /** What the AuthnStatement says about how the user signed in (default: a password). */
  authnContextClassRef?: string;
  /** Attributes, each with its values (e.g. Entra's authnmethodsreferences, Okta's amr). */
  attributes?: Record<string, string[]>;
  /** The AuthnStatement's SessionIndex (what single logout names); random unless given. */
  sessionIndex?: string;
  /** The SubjectConfirmation method (default: bearer, the Web SSO profile's). */
  confirmationMethod?: string;
}

const passwordClassRef = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

function attributeStatement(attributes: Record<string, string[]> | undefined): string {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return '';
  const body = entries
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${escapeXml(name)}">` +
        values.map((v) => `<saml:AttributeValue>${escapeXml(v)}</saml:AttributeValue>`).join('') +
        `</saml:Attribute>`,
    )
    .join('');
  return `<saml:AttributeStatement>${body}</saml:AttributeStatement>`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class TestIdp {
  readonly entityId: string;
  readonly ssoUrl: string;

  private constructor(
    readonly keys: KeyPair,
    name: string,
    ssoUrl?: string,
  ) {
    this.entityId = `https://idp.test/${name}`;
    this.ssoUrl = ssoUrl ?? `https://idp.test/${name}/sso`;
  }

  /** `ssoUrl`: where SP-initiated logins go (test/support/idp-server.ts serves one on localhost). */
  static async start(name = 'okta', ssoUrl?: string): Promise<TestIdp> {
    return new TestIdp(await keyPair(`${name} IdP`), name, ssoUrl);
  }

  get cert(): string {
    return this.keys.cert;
  }

  /** The certificate's base64 body, as metadata carries it. */
  get certBody(): string {
    return this.keys.cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  }

  /** `logoutUrl`: adds a SingleLogoutService (HTTP-Redirect) there. */
  metadataXml(
    extraCertBodies: string[] = [],
    logoutUrl?: string,
    options: { wantAuthnRequestsSigned?: boolean } = {},
  ): string {
    const keys = [this.certBody, ...extraCertBodies]
      .map(
        (body) =>
          `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
      )
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${this.entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="${options.wantAuthnRequestsSigned ? 'true' : 'false'}" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${this.ssoUrl}/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.ssoUrl}"/>${logoutUrl ? `\n    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${logoutUrl}"/>` : ''}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** Reads the AuthnRequest an SP-initiated login redirected to us (HTTP-Redirect binding). */
  readRequest(location: string): {
    id: string;
    acsUrl: string;
    issuer: string;
    relayState: string | null;
    /** The RequestedAuthnContext's comparison and class refs, when the SP asked for one. */
    requestedAuthnContext: { comparison: string; classRefs: string[] } | null;
    /** The SP asked for a fresh authentication. */
    forceAuthn: boolean;
  } {
    const url = new URL(location);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString(
      'utf8',
    );
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const root = doc.documentElement;
    return {
      id: root.getAttribute('ID') ?? '',
      acsUrl: root.getAttribute('AssertionConsumerServiceURL') ?? '',
      issuer: doc.getElementsByTagNameNS(saml, 'Issuer')[0]?.textContent ?? '',
      relayState: url.searchParams.get('RelayState'),
      requestedAuthnContext: requestedContextOf(doc),
      forceAuthn: root.getAttribute('ForceAuthn') === 'true',
    };
  }

  /** A signed SAML Response, base64-encoded as the HTTP-POST binding carries it. */
  response(options: ResponseOptions): string {
    return Buffer.from(this.responseXml(options), 'utf8').toString('base64');
  }

  responseXml(options: ResponseOptions): string {
    const responseId = `_r${randomUUID()}`;
    const assertionId = options.assertionId ?? `_a${randomUUID()}`;
    const from = options.validFrom ?? options.now - 60_000;
    const until = options.validUntil ?? options.now + 5 * 60_000;
    const irt = options.inResponseTo ? ` InResponseTo="${options.inResponseTo}"` : '';
    const assertion =
      `<saml:Assertion xmlns:saml="${saml}" ID="${assertionId}" Version="2.0" IssueInstant="${iso(options.now)}">` +
      `<saml:Issuer>${this.entityId}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escapeXml(options.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="${options.confirmationMethod ?? 'urn:oasis:names:tc:SAML:2.0:cm:bearer'}">` +
      `<saml:SubjectConfirmationData NotOnOrAfter="${iso(until)}" Recipient="${options.recipient ?? options.acsUrl}"${irt}/>` +
      `</saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(from)}" NotOnOrAfter="${iso(until)}">` +
      `<saml:AudienceRestriction><saml:Audience>${options.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(options.now)}" SessionIndex="${escapeXml(options.sessionIndex ?? `_s${randomUUID()}`)}"><saml:AuthnContext>` +
      `<saml:AuthnContextClassRef>${escapeXml(options.authnContextClassRef ?? passwordClassRef)}</saml:AuthnContextClassRef>` +
      `</saml:AuthnContext></saml:AuthnStatement>${attributeStatement(options.attributes)}</saml:Assertion>`;
    let xml =
      `<samlp:Response xmlns:samlp="${samlp}" ID="${responseId}" Version="2.0" IssueInstant="${iso(options.now)}" ` +
      `Destination="${options.destination ?? options.acsUrl}"${irt}>` +
      `<saml:Issuer xmlns:saml="${saml}">${this.entityId}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      `${assertion}</samlp:Response>`;
    const sign = options.sign ?? 'both';
    const algorithm = options.algorithm ?? 'sha256';
    if (sign === 'assertion' || sign === 'both') xml = this.sign(xml, 'Assertion', assertionId, algorithm);
    if (sign === 'response' || sign === 'both') xml = this.sign(xml, 'Response', responseId, algorithm);
    return xml;
  }

  /** Signs the element with this ID (rsa-sha256), the signature after its Issuer. */
  signXml(xml: string, element: string, id: string): string {
    return this.sign(xml, element, id, 'sha256');
  }

  private sign(xml: string, element: string, id: string, algorithm: keyof typeof algorithms): string {
    const target = `//*[local-name(.)='${element}' and @ID='${id}']`;
    const signer = new SignedXml({
      privateKey: this.keys.privateKey,
      publicCert: this.keys.cert,
      signatureAlgorithm: algorithms[algorithm].signature,
      canonicalizationAlgorithm: excC14n,
    });
    signer.addReference({
      xpath: target,
      digestAlgorithm: algorithms[algorithm].digest,
      transforms: [enveloped, excC14n],
    });
    signer.computeSignature(xml, {
      prefix: 'ds',
      location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
    });
    return signer.getSignedXml();
  }
}

function requestedContextOf(doc: Document): { comparison: string; classRefs: string[] } | null {
  const rac = doc.getElementsByTagNameNS(samlp, 'RequestedAuthnContext')[0];
  if (!rac) return null;
  return {
    comparison: rac.getAttribute('Comparison') ?? 'exact',
    classRefs: Array.from(rac.getElementsByTagNameNS(saml, 'AuthnContextClassRef')).map(
      (el) => el.textContent ?? '',
    ),
  };
}

/** Changes a signed response's XML (an attacker on the way), keeping its signatures as they were. */
export function tamper(encoded: string, change: (xml: string) => string): string {
  return Buffer.from(change(Buffer.from(encoded, 'base64').toString('utf8')), 'utf8').toString('base64');
}

/**
 * XML signature wrapping: the signed assertion is moved into the response's Extensions, where a
 * naive verifier still finds it by ID, and a copy naming `nameId` (same ID, same Signature) takes
 * its place as the assertion that would be read.
 */
export function wrapSignature(encoded: string, nameId: string): string {
  const doc = new DOMParser().parseFromString(Buffer.from(encoded, 'base64').toString('utf8'), 'text/xml');
  const response = doc.documentElement;
  const original = doc.getElementsByTagNameNS(saml, 'Assertion')[0];
  const evil = original.cloneNode(true) as Element;
  evil.getElementsByTagNameNS(saml, 'NameID')[0].textContent = nameId;
  const extensions = doc.createElementNS(samlp, 'samlp:Extensions');
  response.insertBefore(extensions, response.getElementsByTagNameNS(samlp, 'Status')[0]);
  response.replaceChild(evil, original);
  extensions.appendChild(original);
  return Buffer.from(new XMLSerializer().serializeToString(doc), 'utf8').toString('base64');
}

/**
 * What an IdP with Entra's token encryption sends: the signed assertion encrypted for the SP's
 * certificate (xml-encryption: AES-256-GCM content, RSA-OAEP key transport), then the response
 * signed around the EncryptedAssertion when `signResponse`.
 */
export async function encryptedResponse(
  idp: TestIdp,
  options: ResponseOptions & { spCert: string; signResponse?: boolean },
): Promise<string> {
  const signed = idp.responseXml({ ...options, sign: options.sign ?? 'assertion' });
  const start = signed.indexOf('<saml:Assertion');
  const end = signed.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
  const assertion = signed.slice(start, end);
  const encrypted = await new Promise<string>((resolve, reject) =>
    xmlenc.encrypt(
      assertion,
      {
        rsa_pub: createPublicKey(options.spCert).export({ type: 'spki', format: 'pem' }).toString(),
        pem: options.spCert,
        encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
  let xml =
    signed.slice(0, start) +
    `<saml:EncryptedAssertion xmlns:saml="${saml}">${encrypted}</saml:EncryptedAssertion>` +
    signed.slice(end);
  if (options.signResponse) {
    const responseId = /<samlp:Response[^>]* ID="([^"]+)"/.exec(xml)?.[1] ?? '';
    xml = idp.signXml(xml, 'Response', responseId);
  }
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** An IdP's signed LogoutRequest (HTTP-POST binding), base64. */
export function logoutRequest(
  idp: TestIdp,
  options: { nameId: string; sessionIndex?: string; destination: string; now: number; id?: string },
): string {
  const id = options.id ?? `_l${randomUUID()}`;
  const xml =
    `<samlp:LogoutRequest xmlns:samlp="${samlp}" xmlns:saml="${saml}" ID="${id}" Version="2.0" ` +
    `IssueInstant="${iso(options.now)}" Destination="${options.destination}">` +
    `<saml:Issuer>${idp.entityId}</saml:Issuer>` +
    `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escapeXml(options.nameId)}</saml:NameID>` +
    (options.sessionIndex
      ? `<samlp:SessionIndex>${escapeXml(options.sessionIndex)}</samlp:SessionIndex>`
      : '') +
    `</samlp:LogoutRequest>`;
  return Buffer.from(idp.signXml(xml, 'LogoutRequest', id), 'utf8').toString('base64');
}

/**
 * An IdP's signed LogoutResponse to the SP's LogoutRequest `inResponseTo` (HTTP-POST binding), base64;
 * `status` another than Success (e.g. PartialLogout's Responder) says the IdP could not log out.
 */
export function logoutResponse(
  idp: TestIdp,
  options: { inResponseTo: string; destination: string; now: number; status?: string },
): string {
  const id = `_lr${randomUUID()}`;
  const xml =
    `<samlp:LogoutResponse xmlns:samlp="${samlp}" xmlns:saml="${saml}" ID="${id}" Version="2.0" ` +
    `IssueInstant="${iso(options.now)}" Destination="${options.destination}" InResponseTo="${options.inResponseTo}">` +
    `<saml:Issuer>${idp.entityId}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${options.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
    `</samlp:LogoutResponse>`;
  return Buffer.from(idp.signXml(xml, 'LogoutResponse', id), 'utf8').toString('base64');
}

/** A redirect-binding message the SP sent (AuthnRequest or LogoutRequest): its XML and whether its query signature verifies with `cert`. */
export function readRedirect(
  location: string,
  cert?: string,
): { xml: string; signed: boolean; verified: boolean } {
  const url = new URL(location);
  const param = url.searchParams.has('SAMLRequest') ? 'SAMLRequest' : 'SAMLResponse';
  const xml = inflateRawSync(Buffer.from(url.searchParams.get(param) ?? '', 'base64')).toString('utf8');
  const signature = url.searchParams.get('Signature');
  if (!signature) return { xml, signed: false, verified: false };
  // SAML bindings §3.4.4.1: the signed octets are the query parameters as sent, in this order.
  const raw = url.search.slice(1).split('&');
  const pick = (name: string) => raw.find((p) => p.startsWith(`${name}=`));
  const signedPart = [pick(param), pick('RelayState'), pick('SigAlg')].filter(Boolean).join('&');
  const verified = cert
    ? createVerify('RSA-SHA256').update(signedPart).verify(cert, signature, 'base64')
    : false;
  return { xml, signed: true, verified };
}
