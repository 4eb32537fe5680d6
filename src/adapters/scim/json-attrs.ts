/**
 * Helpers for JSON objects whose keys are SCIM attribute names, which are case-insensitive
 * (RFC 7643 §2.1): lookups match any casing, writes leave exactly one key for a name.
 */

export type Json = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function isEmpty(value: Json): boolean {
  return Object.keys(value).length === 0;
}

export function asObject(value: unknown): Json {
  return isPlainObject(value) ? value : {};
}

export function findKey(container: Json, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(container).find((key) => key.toLowerCase() === lower);
}

export function getAttr(container: Json, name: string): unknown {
  const key = findKey(container, name);
  return key === undefined ? undefined : container[key];
}

/** Writes under the canonical name and drops any other casing of it (`nickname` → `nickName`). */
export function setAttr(container: Json, name: string, value: unknown): void {
  deleteAttr(container, name);
  setOwn(container, name, value);
}

/**
 * An own property even for a name such as `__proto__`, which a plain assignment would take as the
 * object's prototype: names come from requests, and a prototype would hide them from every check.
 */
export function setOwn(container: Json, name: string, value: unknown): void {
  Object.defineProperty(container, name, { value, writable: true, enumerable: true, configurable: true });
}

export function deleteAttr(container: Json, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(container)) if (key.toLowerCase() === lower) delete container[key];
}

export function withoutKey(element: Json, name: string): Json {
  const copy = { ...element };
  deleteAttr(copy, name);
  return copy;
}

/** Strings compare case-insensitively (SCIM's caseExact=false default); anything else strictly. */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => deepEqual(a[key], b[key]));
}
