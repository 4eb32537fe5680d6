import { DOMParser } from '@xmldom/xmldom';

export const ns = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** Parses XML, or returns the parser's first complaint (xmldom otherwise repairs broken input silently). */
export function parseXml(text: string): Document | { problem: string } {
  let problem: string | null = null;
  const note = (message: string) => (problem ??= message.replace(/\s+/g, ' ').trim());
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: note, fatalError: note },
  }).parseFromString(text, 'text/xml');
  if (problem) return { problem };
  if (!doc?.documentElement) return { problem: 'it is not XML' };
  return doc;
}

export function elements(root: Document | Element, namespace: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(namespace, localName));
}

export function children(parent: Element, namespace: string, localName: string): Element[] {
  return Array.from(parent.childNodes as ArrayLike<Node>).filter(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === namespace && (n as Element).localName === localName,
  );
}
