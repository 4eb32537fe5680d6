import { DOMParser } from '@xmldom/xmldom';

export const ns = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** SAML responses and IdP metadata nest about ten elements deep; anything far deeper is an attack. */
export const maxXmlDepth = 50;

/**
 * Parses XML, or returns the parser's first complaint (xmldom otherwise repairs broken input
 * silently). A DOCTYPE (entity expansion, external entities) or nesting deeper than maxXmlDepth
 * is refused by a scan of the text first, before any DOM, XPath or signature work.
 */
export function parseXml(text: string): Document | { problem: string } {
  const refused = xmlRefusal(text);
  if (refused) return { problem: refused };
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

/** Why `text` is refused before parsing, or null: a DOCTYPE, or elements nested too deep. */
export function xmlRefusal(text: string): string | null {
  let depth = 0;
  let at = text.indexOf('<');
  while (at !== -1) {
    const next = text[at + 1];
    let end: number;
    if (text.startsWith('<!--', at)) end = closing(text, at, '-->');
    else if (text.startsWith('<![CDATA[', at)) end = closing(text, at, ']]>');
    else if (next === '?') end = closing(text, at, '?>');
    else if (next === '!') return 'it has a DOCTYPE or other declaration, which SAML never needs';
    else {
      end = tagEnd(text, at);
      if (next === '/') depth--;
      else if (text[end - 1] !== '/' && ++depth > maxXmlDepth) {
        return `its elements nest deeper than ${maxXmlDepth} levels`;
      }
    }
    if (end === -1) return null; // unterminated: the parser says so
    at = text.indexOf('<', end);
  }
  return null;
}

function closing(text: string, from: number, terminator: string): number {
  const found = text.indexOf(terminator, from);
  return found === -1 ? -1 : found + terminator.length - 1;
}

/** The `>` that ends the tag at `from`, skipping quoted attribute values (which may hold `>`). */
function tagEnd(text: string, from: number): number {
  let quote: string | null = null;
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}
