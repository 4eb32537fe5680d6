/**
 * SCIM PATCH `path` parsing (RFC 7644 §3.5.2):
 *   PATH = attrPath / valuePath [subAttr]
 * with an optional schema URN prefix. The bracket filter is parsed by scim2-parse-filter; this
 * file only splits `attr[...]` and `.sub` around it.
 */
import { Tester } from 'scim2-parse-filter';
import type { Compare, Filter } from 'scim2-parse-filter';
import { parseFilterText } from './filter-text';
import { ScimError } from './scim-error';

export type ValueFilter = Filter;
type CompValue = Compare['compValue'];

export interface PatchPath {
  /** Extension schema URN; absent for core attributes (also when the core URN was written out). */
  schema?: string;
  attr: string;
  subAttr?: string;
  valueFilter?: ValueFilter;
}

// ATTRNAME = ALPHA *(nameChar); `$ref` is the one sub-attribute RFC 7643 names with a `$`.
const ATTR_NAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
const CORE_SCHEMA = /^urn:ietf:params:scim:schemas:core:2\.0:(User|Group)$/i;

export function parsePatchPath(path: string): PatchPath {
  const trimmed = path.trim();
  if (trimmed === '') throw invalidPath(path, 'it is empty');
  const { schema, rest } = splitSchema(trimmed);
  const parsed = rest.includes('[') ? parseValuePath(rest, path) : parseAttrPath(rest, path);
  return schema === undefined ? parsed : { schema, ...parsed };
}

export type PatchOpName = 'add' | 'replace' | 'remove';

/** The `op` of a PATCH operation; Entra capitalises it (`Replace`), so match case-insensitively. */
export function parseOpName(raw: unknown): PatchOpName {
  const op = typeof raw === 'string' ? raw.toLowerCase() : raw;
  if (op === 'add' || op === 'replace' || op === 'remove') return op;
  throw ScimError.badRequest(
    'invalidSyntax',
    `Unsupported operation "${String(raw)}": use add, replace or remove.`,
  );
}

/** The `path` of a PATCH operation, or undefined when absent (null and blank count as absent). */
// Okta's pathless replace echoes `id` (idp-interop.md #29); these are not patch targets, so skip them.
const ignoredPathlessKeys = new Set(['id', 'meta', 'schemas']);

/**
 * The `[path, value]` pairs of a pathless add/replace (`{"op":"replace","value":{"active":false}}`),
 * without the server-owned keys. A pathless remove has nothing to name: noTarget (RFC 7644 §3.5.2.2).
 */
export function pathlessEntries(op: PatchOpName, value: unknown): [string, unknown][] {
  if (op === 'remove') {
    throw ScimError.badRequest('noTarget', 'A remove operation needs a path naming what to remove.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ScimError.badRequest('invalidValue', `A ${op} without a path needs an object value.`);
  }
  return Object.entries(value).filter(([key]) => !ignoredPathlessKeys.has(key.toLowerCase()));
}

/** True for keys a pathless or schema-keyed value carries that are not patch targets. */
export function isIgnoredPathlessKey(key: string): boolean {
  return ignoredPathlessKeys.has(key.toLowerCase());
}

export function optionalPath(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw ScimError.badRequest('invalidPath', 'path must be a string.');
  return raw.trim() === '' ? undefined : raw;
}

/** True when `element` (one value of a multi-valued attribute) satisfies the bracket filter. */
export function matchesValueFilter(element: Record<string, unknown>, ast: ValueFilter): boolean {
  return lenientTester.test(element, ast);
}

/**
 * The attributes a filter pins with `eq` (`type eq "work" and primary eq true` → {type, primary}),
 * or undefined when the filter is anything but a conjunction of equalities. Used to create the
 * element a filtered path targets when none exists yet (Entra, idp-interop.md #23).
 */
export function filterEqualities(ast: ValueFilter): Record<string, CompValue> | undefined {
  if (ast.op === 'eq') return { [ast.attrPath]: ast.compValue };
  if (ast.op !== 'and') return undefined;
  const entries: [string, CompValue][] = [];
  for (const child of ast.filters) {
    const part = filterEqualities(child);
    if (part === undefined) return undefined;
    entries.push(...Object.entries(part));
  }
  // fromEntries defines own properties: an attribute named `__proto__` stays a name, not a prototype.
  return Object.fromEntries(entries);
}

/** The URN is everything up to the last `:` before any bracket (filters may hold colons). */
function splitSchema(path: string): { schema?: string; rest: string } {
  if (!/^urn:/i.test(path)) return { rest: path };
  const bracket = path.indexOf('[');
  const head = bracket === -1 ? path : path.slice(0, bracket);
  const colon = head.lastIndexOf(':');
  const schema = path.slice(0, colon);
  const rest = path.slice(colon + 1);
  return CORE_SCHEMA.test(schema) ? { rest } : { schema, rest };
}

function parseAttrPath(rest: string, path: string): PatchPath {
  const parts = rest.split('.');
  if (parts.length > 2) throw invalidPath(path, 'only one level of sub-attribute is allowed');
  const [attr, subAttr] = parts;
  assertName(attr, path);
  if (subAttr === undefined) return { attr };
  assertName(subAttr, path);
  return { attr, subAttr };
}

function parseValuePath(rest: string, path: string): PatchPath {
  const open = rest.indexOf('[');
  // The last `]` closes the filter: only `.subAttr` may follow it, and that holds no bracket.
  const close = rest.lastIndexOf(']');
  if (close < open) throw invalidPath(path, 'the value filter is not closed');
  const attr = rest.slice(0, open);
  assertName(attr, path);
  const valueFilter = parseValueFilter(rest.slice(open + 1, close), path);
  const tail = rest.slice(close + 1);
  if (tail === '') return { attr, valueFilter };
  if (!tail.startsWith('.')) throw invalidPath(path, `unexpected "${tail}" after the value filter`);
  const subAttr = tail.slice(1);
  assertName(subAttr, path);
  return { attr, subAttr, valueFilter };
}

function parseValueFilter(text: string, path: string): ValueFilter {
  const { ast } = parseFilterText(text, (why) => invalidPath(path, `the value filter is refused: ${why}`));
  // valFilter = attrExp / logExp / *1"not" "(" valFilter ")": no nested valuePath.
  if (containsValuePath(ast)) throw invalidPath(path, 'value filters cannot nest');
  return ast;
}

function containsValuePath(ast: ValueFilter): boolean {
  switch (ast.op) {
    case '[]':
      return true;
    case 'and':
    case 'or':
      return ast.filters.some(containsValuePath);
    case 'not':
      return containsValuePath(ast.filter);
    default:
      return false;
  }
}

function assertName(name: string, path: string): void {
  if (!ATTR_NAME.test(name)) throw invalidPath(path, `"${name}" is not an attribute name`);
}

function invalidPath(path: string, why: string): ScimError {
  return ScimError.badRequest('invalidPath', `Invalid PATCH path "${path}": ${why}.`);
}

/**
 * The library's Tester already resolves attribute names case-insensitively; it compares values
 * strictly. IdPs send `type eq "Work"` and `primary eq "True"`, so compare strings ignoring case
 * and let a boolean match its string spelling.
 */
class LenientTester extends Tester {
  override eq(actual: unknown, expected: CompValue): boolean {
    return looselyEqual(actual, expected);
  }
  override ne(actual: unknown, expected: CompValue): boolean {
    return !looselyEqual(actual, expected);
  }
  override co(actual: unknown, expected: CompValue): boolean {
    return stringTest(actual, expected, (a, e) => a.includes(e));
  }
  override sw(actual: unknown, expected: CompValue): boolean {
    return stringTest(actual, expected, (a, e) => a.startsWith(e));
  }
  override ew(actual: unknown, expected: CompValue): boolean {
    return stringTest(actual, expected, (a, e) => a.endsWith(e));
  }
}

const lenientTester = new LenientTester();

function looselyEqual(actual: unknown, expected: CompValue): boolean {
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    const a = asBoolean(actual);
    return a !== undefined && a === asBoolean(expected);
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    return actual.toLowerCase() === expected.toLowerCase();
  }
  return actual === expected;
}

function stringTest(actual: unknown, expected: CompValue, test: (a: string, e: string) => boolean): boolean {
  if (typeof actual !== 'string' || typeof expected !== 'string') return false;
  return test(actual.toLowerCase(), expected.toLowerCase());
}

/** `true`, `"True"`, `"FALSE"` → boolean; anything else → undefined. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}
