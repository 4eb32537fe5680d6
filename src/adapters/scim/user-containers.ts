/**
 * Where a User attribute lives: the top level of the document, or an extension object under its
 * schema URN. Extension objects are created and dropped together with their `schemas` entry.
 */
import { deleteAttr, getAttr, isEmpty, isPlainObject, setAttr, type Json } from './json-attrs';

/** The top level of the document (core attributes), or the extension object under `urn`. */
export type Location = { core: true } | { core: false; urn: string };

/** The object holding the target's attribute, if there is one. */
export function findContainer(doc: Json, location: Location): Json | undefined {
  if (location.core) return doc;
  const existing = getAttr(doc, location.urn);
  return isPlainObject(existing) ? existing : undefined;
}

/** Like findContainer, but creates (and declares in `schemas`) a missing extension object. */
export function ensureContainer(doc: Json, location: Location): Json {
  const existing = findContainer(doc, location);
  if (existing) return existing;
  if (location.core) return doc;
  const created: Json = {};
  setAttr(doc, location.urn, created);
  declareSchema(doc, location.urn);
  return created;
}

function declareSchema(doc: Json, urn: string): void {
  if (!Array.isArray(doc.schemas)) return;
  if (!doc.schemas.some((s) => String(s).toLowerCase() === urn.toLowerCase())) {
    doc.schemas = [...doc.schemas, urn];
  }
}

function undeclareSchema(doc: Json, urn: string): void {
  if (!Array.isArray(doc.schemas)) return;
  doc.schemas = doc.schemas.filter((s) => String(s).toLowerCase() !== urn.toLowerCase());
}

/** Extension objects left empty by removals go away, with their `schemas` entry. */
export function dropEmptyExtensions(doc: Json): void {
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    const emptyExtension = key.toLowerCase().startsWith('urn:') && isPlainObject(value) && isEmpty(value);
    if (emptyExtension) removeExtension(doc, key);
  }
}

export function removeExtension(doc: Json, urn: string): void {
  deleteAttr(doc, urn);
  undeclareSchema(doc, urn);
}
