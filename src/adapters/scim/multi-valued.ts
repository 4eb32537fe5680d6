/**
 * Elements of multi-valued User attributes (`emails`, `phoneNumbers`, …) as PATCH edits them:
 * read from and written to their container, matched, merged, and kept to a single primary.
 */
import { filterEqualities } from './patch-path';
import type { ValueFilter } from './patch-path';
import { ScimError } from './scim-error';
import {
  deepEqual,
  deleteAttr,
  getAttr,
  isPlainObject,
  isScalar,
  looseEquals,
  setAttr,
  setOwn,
  withoutKey,
  type Json,
} from './json-attrs';
import { subAttrName } from './user-attributes';
import { requireBoolean, requireObject, requireScalar } from './patch-values';

export function appendElements(container: Json, name: string, value: unknown): void {
  const elements = existingElements(container, name);
  const touched = singlePrimary(name, toElements(name, value)).map((element) =>
    upsertElement(elements, element),
  );
  enforceSinglePrimary(elements, touched);
  setElements(container, name, elements);
}

export function replaceElements(container: Json, name: string, value: unknown): void {
  const elements = singlePrimary(name, toElements(name, value));
  const everyIndex = elements.map((_, i) => i);
  enforceSinglePrimary(elements, everyIndex);
  setElements(container, name, elements);
}

/**
 * RFC 7643 §2.4: at most one value is primary. A new primary among the stored values demotes the
 * others; but one request naming two primaries is refused, as a POST of it is.
 */
function singlePrimary(name: string, elements: Json[]): Json[] {
  if (elements.filter((e) => e.primary === true).length > 1) {
    throw ScimError.badRequest('invalidValue', `At most one value of "${name}" may be primary.`);
  }
  return elements;
}

/** `Remove` with a value list removes only the listed elements (idp-interop.md #34 applies to users too). */
export function removeListedElements(container: Json, name: string, value: unknown): void {
  const listed = toElements(name, value);
  const kept = existingElements(container, name).filter(
    (element) => !listed.some((l) => sameElement(element, l)),
  );
  setElements(container, name, kept);
}

/** RFC 7644 §3.5.2.1: adding a value that is already there changes nothing; merge its sub-attributes. */
function upsertElement(elements: Json[], element: Json): number {
  const index = elements.findIndex((existing) => sameElement(existing, element));
  if (index === -1) return elements.push(element) - 1;
  elements[index] = { ...elements[index], ...element };
  return index;
}

/** Same `value` and `type` (case-insensitive); elements without a value (addresses) must be equal. */
function sameElement(a: Json, b: Json): boolean {
  if (a.value === undefined || b.value === undefined) return deepEqual(a, b);
  return looseEquals(a.value, b.value) && looseEquals(a.type, b.type);
}

/** A filter that matches nothing makes a remove a no-op, not an error. */
export function removeFromElements(elements: Json[], matched: number[], subAttr: string | undefined): Json[] {
  if (subAttr === undefined) return elements.filter((_, i) => !matched.includes(i));
  return elements.map((element, i) =>
    matched.includes(i) ? withoutKey(element, subAttrName(subAttr)) : element,
  );
}

export function updateElements(
  elements: Json[],
  matched: number[],
  subAttr: string | undefined,
  value: unknown,
): number[] {
  const patch = elementPatch(subAttr, value);
  for (const i of matched) elements[i] = { ...elements[i], ...patch };
  return matched;
}

/**
 * The target does not exist yet: create it from the filter's equalities plus the value
 * (`emails[type eq "other"].value` → {type: "other", value}). Entra relies on this (#23).
 */
export function newElementFor(
  name: string,
  filter: ValueFilter | undefined,
  subAttr: string | undefined,
  value: unknown,
  subAttributes?: ReadonlySet<string>,
): Json {
  const pinned = filter === undefined ? {} : filterEqualities(filter);
  const unknown =
    pinned && subAttributes && Object.keys(pinned).find((key) => !subAttributes.has(key.toLowerCase()));
  if (unknown) {
    throw ScimError.badRequest(
      'noTarget',
      `No value of "${name}" matches the filter, and "${unknown}" is not a sub-attribute to create one with.`,
    );
  }
  if (pinned === undefined) {
    throw ScimError.badRequest(
      'noTarget',
      `No value of "${name}" matches the filter, and it is too loose to create one.`,
    );
  }
  return { ...normalizeElement(pinned), ...elementPatch(subAttr, value) };
}

/** The sub-attributes an add/replace writes into a selected element. */
function elementPatch(subAttr: string | undefined, value: unknown): Json {
  if (subAttr === undefined) return normalizeElement(requireObject('value', value));
  return normalizeElement({ [subAttr]: requireScalar(subAttr, value) });
}

function toElements(name: string, value: unknown): Json[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((item) => item !== null).map((item) => normalizeElement(elementObject(name, item)));
}

/** RFC 7643 multi-valued attributes hold objects; a bare scalar is read as its `value`. */
function elementObject(name: string, item: unknown): Json {
  if (isPlainObject(item)) return item;
  if (isScalar(item)) return { value: item };
  throw ScimError.badRequest('invalidValue', `Each value of "${name}" must be an object.`);
}

/** Canonical sub-attribute names, `primary` as a boolean, null sub-attributes dropped (Entra sends them). */
function normalizeElement(element: Json): Json {
  const normalized: Json = {};
  for (const [key, value] of Object.entries(element)) {
    if (value === null) continue;
    const name = subAttrName(key);
    setOwn(normalized, name, name === 'primary' ? requireBoolean('primary', value) : value);
  }
  return normalized;
}

/** RFC 7643 §2.4: at most one element is primary; the one just written wins. */
export function enforceSinglePrimary(elements: Json[], touched: number[]): void {
  const winner = [...touched].reverse().find((i) => elements[i]?.primary === true);
  if (winner === undefined) return;
  elements.forEach((element, i) => {
    if (i !== winner && element.primary === true) elements[i] = { ...element, primary: false };
  });
}

export function existingElements(container: Json, name: string): Json[] {
  const current = getAttr(container, name);
  if (current === undefined || current === null) return [];
  if (!Array.isArray(current)) {
    throw ScimError.badRequest('invalidPath', `Attribute "${name}" is not multi-valued.`);
  }
  return current.filter(isPlainObject).map((element) => ({ ...element }));
}

export function setElements(container: Json, name: string, elements: Json[]): void {
  if (elements.length === 0) deleteAttr(container, name);
  else setAttr(container, name, elements);
}
