/**
 * Applies SCIM PATCH operations (RFC 7644 §3.5.2) to a SCIM User document, in the dialects Okta
 * and Entra actually send (idp-interop.md D and F). Pure: no DB, no HTTP; the input is not mutated.
 * Ops apply in order and any bad op throws a ScimError, so the caller discards the whole patch.
 */
import {
  asBoolean,
  filterEqualities,
  matchesValueFilter,
  optionalPath,
  parseOpName,
  parsePatchPath,
} from './patch-path';
import type { PatchOpName as OpName, PatchPath, ValueFilter } from './patch-path';
import { ScimError } from './scim-error';

export type ScimUserDoc = Record<string, unknown>;
type Json = Record<string, unknown>;

export const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// 'unknown' covers attributes outside RFC 7643 (custom extensions): their shape follows the value.
type AttrKind = 'simple' | 'boolean' | 'complex' | 'multi' | 'readOnly' | 'writeOnly' | 'manager' | 'unknown';

interface AttrDef {
  name: string;
  kind: AttrKind;
}

/** Where an attribute lives: the top level of the document, or an extension object under its URN. */
type Location = { core: true } | { core: false; urn: string };

interface Target {
  location: Location;
  def: AttrDef;
  subAttr?: string;
  valueFilter?: ValueFilter;
}

const CORE_ATTRS = attrTable({
  simple: [
    'userName',
    'externalId',
    'displayName',
    'nickName',
    'profileUrl',
    'title',
    'userType',
    'preferredLanguage',
    'locale',
    'timezone',
  ],
  boolean: ['active'],
  complex: ['name'],
  multi: [
    'emails',
    'phoneNumbers',
    'ims',
    'photos',
    'addresses',
    'entitlements',
    'roles',
    'x509Certificates',
  ],
  readOnly: ['id', 'meta', 'groups', 'schemas'],
  writeOnly: ['password'],
});

const ENTERPRISE_ATTRS = attrTable({
  simple: ['employeeNumber', 'costCenter', 'organization', 'division', 'department'],
  manager: ['manager'],
});

/** Canonical casing of the sub-attributes of `name`, `manager` and multi-valued elements. */
const SUB_ATTRS = new Map(
  [
    'value',
    'display',
    'type',
    'primary',
    '$ref',
    'formatted',
    'familyName',
    'givenName',
    'middleName',
    'honorificPrefix',
    'honorificSuffix',
    'streetAddress',
    'locality',
    'region',
    'postalCode',
    'country',
    'displayName',
  ].map((name) => [name.toLowerCase(), name]),
);

// Okta's pathless replace echoes `id` (idp-interop.md #29); these are not patch targets, so skip them.
const IGNORED_PATHLESS_KEYS = new Set(['id', 'meta', 'schemas']);

export function applyUserPatch(doc: ScimUserDoc, operations: unknown[]): ScimUserDoc {
  if (!Array.isArray(operations)) throw syntax('Operations must be an array.');
  const result = structuredClone(doc);
  // Cloned so stored values never alias the request body.
  for (const operation of structuredClone(operations)) applyOperation(result, operation);
  dropEmptyExtensions(result);
  return result;
}

function applyOperation(doc: Json, operation: unknown): void {
  if (!isPlainObject(operation)) throw syntax('Each operation must be an object.');
  const op = parseOpName(operation.op);
  const path = optionalPath(operation.path);
  const value = operation.value;
  if (op !== 'remove' && value === undefined) {
    throw ScimError.badRequest('invalidValue', `The ${op} operation needs a value.`);
  }
  if (path === undefined) return applyPathless(doc, op, value);
  const schemaUrn = schemaKey(doc, path);
  if (schemaUrn !== undefined) return applyToSchema(doc, op, schemaUrn, value);
  applyToTarget(doc, op, parsePatchPath(path), value);
}

/** A pathless add/replace carries an object whose keys are paths (Okta `{active:false}`, Entra dotted keys). */
function applyPathless(doc: Json, op: OpName, value: unknown): void {
  if (op === 'remove') {
    throw ScimError.badRequest('noTarget', 'A remove operation needs a path naming what to remove.');
  }
  if (!isPlainObject(value)) {
    throw ScimError.badRequest('invalidValue', `A ${op} without a path needs an object value.`);
  }
  for (const [key, attrValue] of Object.entries(value)) {
    if (IGNORED_PATHLESS_KEYS.has(key.toLowerCase())) continue;
    const schemaUrn = schemaKey(doc, key);
    if (schemaUrn !== undefined) applyToSchema(doc, op, schemaUrn, attrValue);
    else applyToTarget(doc, op, parsePatchPath(key), attrValue);
  }
}

/** A key or path that is a whole schema URN: the core URN, the enterprise URN or an extension the doc uses. */
function schemaKey(doc: Json, key: string): string | undefined {
  const lower = key.trim().toLowerCase();
  if (lower === CORE_USER_URN.toLowerCase()) return CORE_USER_URN;
  if (lower === ENTERPRISE_USER_URN.toLowerCase()) return ENTERPRISE_USER_URN;
  if (!lower.startsWith('urn:')) return undefined;
  const declared = Array.isArray(doc.schemas) && doc.schemas.some((s) => String(s).toLowerCase() === lower);
  return declared || isPlainObject(getAttr(doc, key)) ? (findKey(doc, key) ?? key.trim()) : undefined;
}

/** `{"urn:…:enterprise:2.0:User": {"department": "x"}}` sets each listed attribute of that schema. */
function applyToSchema(doc: Json, op: OpName, urn: string, value: unknown): void {
  const core = urn === CORE_USER_URN;
  if (op === 'remove' || value === null) {
    if (core) throw ScimError.badRequest('invalidPath', 'The core schema cannot be removed.');
    return removeExtension(doc, urn);
  }
  if (!isPlainObject(value)) {
    throw ScimError.badRequest('invalidValue', `The value for ${urn} must be an object of its attributes.`);
  }
  for (const [key, attrValue] of Object.entries(value)) {
    if (IGNORED_PATHLESS_KEYS.has(key.toLowerCase())) continue;
    const path = parsePatchPath(key);
    applyToTarget(doc, op, core ? { ...path, schema: undefined } : { ...path, schema: urn }, attrValue);
  }
}

function applyToTarget(doc: Json, op: OpName, path: PatchPath, value: unknown): void {
  const target = resolveTarget(doc, path);
  switch (target.def.kind) {
    case 'readOnly':
      throw ScimError.badRequest('mutability', `Attribute "${target.def.name}" is read-only.`);
    case 'writeOnly':
      return; // password: accepted and never stored (idp-interop.md #14)
    case 'manager':
      return applyManager(doc, op, target, value);
  }
  if (target.valueFilter) return applyFiltered(doc, op, target, target.valueFilter, value);
  if (target.subAttr) return applySubAttr(doc, op, target, target.subAttr, value);
  applyWhole(doc, op, target, value);
}

function resolveTarget(doc: Json, path: PatchPath): Target {
  const key = path.attr.toLowerCase();
  const { subAttr, valueFilter } = path;
  if (path.schema === undefined) {
    const core = CORE_ATTRS.get(key);
    if (core) return { location: { core: true }, def: core, subAttr, valueFilter };
    // Entra sends `manager` unqualified although it belongs to the enterprise extension.
    const enterprise = ENTERPRISE_ATTRS.get(key);
    if (enterprise) return { location: enterpriseLocation(), def: enterprise, subAttr, valueFilter };
    // RFC 7643 defines every core attribute; accepting others would silently store nothing.
    if (findKey(doc, path.attr) === undefined) throw unknownAttribute(path);
    return { location: { core: true }, def: { name: path.attr, kind: 'unknown' }, subAttr, valueFilter };
  }
  if (path.schema.toLowerCase() === ENTERPRISE_USER_URN.toLowerCase()) {
    const def = ENTERPRISE_ATTRS.get(key) ?? { name: path.attr, kind: 'unknown' };
    return { location: enterpriseLocation(), def, subAttr, valueFilter };
  }
  // Other extensions are accepted only when the document already uses them.
  const urn = schemaKey(doc, path.schema);
  if (urn === undefined || urn === CORE_USER_URN) throw unknownAttribute(path);
  return { location: { core: false, urn }, def: { name: path.attr, kind: 'unknown' }, subAttr, valueFilter };
}

function unknownAttribute(path: PatchPath): ScimError {
  const name = path.schema === undefined ? path.attr : `${path.schema}:${path.attr}`;
  return ScimError.badRequest('invalidPath', `Unknown User attribute "${name}".`);
}

function enterpriseLocation(): Location {
  return { core: false, urn: ENTERPRISE_USER_URN };
}

// ---- whole attribute: `active`, `nickName`, `emails`, `name` -------------------------------------

function applyWhole(doc: Json, op: OpName, target: Target, value: unknown): void {
  const { name } = target.def;
  const kind = effectiveKind(target.def.kind, value);
  if (op === 'remove' && kind === 'multi' && (Array.isArray(value) || isPlainObject(value))) {
    return removeListedElements(doc, target, value);
  }
  // Entra sends null to clear an attribute.
  if (op === 'remove' || value === null) return deleteTargetAttr(doc, target);
  const container = ensureContainer(doc, target.location);
  switch (kind) {
    case 'boolean':
      return setAttr(container, name, requireBoolean(name, value));
    case 'complex':
      return setAttr(
        container,
        name,
        mergeSubAttrs(asObject(getAttr(container, name)), requireObject(name, value)),
      );
    case 'multi':
      return op === 'add' ? appendElements(container, name, value) : replaceElements(container, name, value);
    default:
      return setAttr(container, name, requireScalar(name, value));
  }
}

/** Unknown attributes take the shape of their value: array → multi-valued, object → complex. */
function effectiveKind(kind: AttrKind, value: unknown): AttrKind {
  if (kind !== 'unknown') return kind;
  if (Array.isArray(value)) return 'multi';
  return isPlainObject(value) ? 'complex' : 'simple';
}

function appendElements(container: Json, name: string, value: unknown): void {
  const elements = existingElements(container, name);
  const touched = toElements(name, value).map((element) => upsertElement(elements, element));
  enforceSinglePrimary(elements, touched);
  setElements(container, name, elements);
}

function replaceElements(container: Json, name: string, value: unknown): void {
  const elements = toElements(name, value);
  const everyIndex = elements.map((_, i) => i);
  enforceSinglePrimary(elements, everyIndex);
  setElements(container, name, elements);
}

/** `Remove` with a value list removes only the listed elements (idp-interop.md #34 applies to users too). */
function removeListedElements(doc: Json, target: Target, value: unknown): void {
  const container = findContainer(doc, target.location);
  if (!container) return;
  const listed = toElements(target.def.name, value);
  const kept = existingElements(container, target.def.name).filter(
    (element) => !listed.some((l) => sameElement(element, l)),
  );
  setElements(container, target.def.name, kept);
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

// ---- sub-attribute without filter: `name.givenName` ----------------------------------------------

function applySubAttr(doc: Json, op: OpName, target: Target, subAttr: string, value: unknown): void {
  const kind = target.def.kind;
  if (kind === 'simple' || kind === 'boolean') {
    throw ScimError.badRequest('invalidPath', `Attribute "${target.def.name}" has no sub-attributes.`);
  }
  // `emails.value` without a filter targets every element (RFC 7644 §3.5.2.3).
  if (kind === 'multi' || holdsArray(doc, target)) {
    return applyToElements(doc, op, target, undefined, subAttr, value);
  }
  const removing = op === 'remove' || value === null;
  const container = removing ? findContainer(doc, target.location) : ensureContainer(doc, target.location);
  if (!container) return;
  // A missing parent is created: `name.givenName` on a user without `name`.
  const parent = { ...asObject(getAttr(container, target.def.name)) };
  if (removing) deleteAttr(parent, subAttrName(subAttr));
  else setAttr(parent, subAttrName(subAttr), requireScalar(subAttr, value));
  if (isEmpty(parent)) deleteAttr(container, target.def.name);
  else setAttr(container, target.def.name, parent);
}

function holdsArray(doc: Json, target: Target): boolean {
  const container = findContainer(doc, target.location);
  return container !== undefined && Array.isArray(getAttr(container, target.def.name));
}

// ---- filtered: `emails[type eq "work"].value` ----------------------------------------------------

function applyFiltered(doc: Json, op: OpName, target: Target, filter: ValueFilter, value: unknown): void {
  if (target.def.kind !== 'multi' && target.def.kind !== 'unknown') {
    throw ScimError.badRequest('invalidPath', `Attribute "${target.def.name}" is not multi-valued.`);
  }
  applyToElements(doc, op, target, filter, target.subAttr, value);
}

/** Applies the op to the elements the filter selects (every element when there is no filter). */
function applyToElements(
  doc: Json,
  op: OpName,
  target: Target,
  filter: ValueFilter | undefined,
  subAttr: string | undefined,
  value: unknown,
): void {
  const removing = op === 'remove' || value === null;
  const container = removing ? findContainer(doc, target.location) : ensureContainer(doc, target.location);
  if (!container) return; // nothing to remove
  const name = target.def.name;
  const elements = existingElements(container, name);
  const matched = elements.flatMap((element, i) =>
    filter === undefined || matchesValueFilter(element, filter) ? [i] : [],
  );
  if (removing) return setElements(container, name, removeFromElements(elements, matched, subAttr));
  const touched =
    matched.length > 0
      ? updateElements(elements, matched, subAttr, value)
      : [elements.push(newElementFor(name, filter, subAttr, value)) - 1];
  enforceSinglePrimary(elements, touched);
  setElements(container, name, elements);
}

/** A filter that matches nothing makes a remove a no-op, not an error. */
function removeFromElements(elements: Json[], matched: number[], subAttr: string | undefined): Json[] {
  if (subAttr === undefined) return elements.filter((_, i) => !matched.includes(i));
  return elements.map((element, i) =>
    matched.includes(i) ? withoutKey(element, subAttrName(subAttr)) : element,
  );
}

function updateElements(
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
function newElementFor(
  name: string,
  filter: ValueFilter | undefined,
  subAttr: string | undefined,
  value: unknown,
): Json {
  const pinned = filter === undefined ? {} : filterEqualities(filter);
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

// ---- manager (enterprise extension) --------------------------------------------------------------

/** Every manager shape (#25) is stored as `{ value: id }`; `$ref` and `displayName` are dropped. */
function applyManager(doc: Json, op: OpName, target: Target, value: unknown): void {
  if (target.valueFilter) throw ScimError.badRequest('invalidPath', 'manager is not multi-valued.');
  const sub = target.subAttr === undefined ? undefined : subAttrName(target.subAttr);
  if (sub !== undefined && sub !== 'value') return; // only the id is kept
  const id = op === 'remove' ? null : managerId(value);
  if (id === null) return deleteTargetAttr(doc, target);
  setAttr(ensureContainer(doc, target.location), target.def.name, { value: id });
}

/** The manager id from `"id"`, `{value}`, or `[{value, $ref}]`; null means "no manager". */
function managerId(value: unknown): string | null {
  if (value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    if (value.length === 1) return managerId(value[0]);
  }
  if (isPlainObject(value)) {
    const key = findKey(value, 'value');
    const id = key === undefined ? undefined : value[key];
    if (id === null || id === '' || typeof id === 'string') return managerId(id);
  }
  throw ScimError.badRequest('invalidValue', 'manager must be a user id, {"value": id} or a list of one.');
}

// ---- elements of multi-valued attributes ---------------------------------------------------------

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
    normalized[name] = name === 'primary' ? requireBoolean('primary', value) : value;
  }
  return normalized;
}

/** RFC 7643 §2.4: at most one element is primary; the one just written wins. */
function enforceSinglePrimary(elements: Json[], touched: number[]): void {
  const winner = [...touched].reverse().find((i) => elements[i]?.primary === true);
  if (winner === undefined) return;
  elements.forEach((element, i) => {
    if (i !== winner && element.primary === true) elements[i] = { ...element, primary: false };
  });
}

function existingElements(container: Json, name: string): Json[] {
  const current = getAttr(container, name);
  if (current === undefined || current === null) return [];
  if (!Array.isArray(current)) {
    throw ScimError.badRequest('invalidPath', `Attribute "${name}" is not multi-valued.`);
  }
  return current.filter(isPlainObject).map((element) => ({ ...element }));
}

function setElements(container: Json, name: string, elements: Json[]): void {
  if (elements.length === 0) deleteAttr(container, name);
  else setAttr(container, name, elements);
}

// ---- containers and keys -------------------------------------------------------------------------

/** The object holding the target's attribute, if there is one. */
function findContainer(doc: Json, location: Location): Json | undefined {
  if (location.core) return doc;
  const existing = getAttr(doc, location.urn);
  return isPlainObject(existing) ? existing : undefined;
}

/** Like findContainer, but creates (and declares in `schemas`) a missing extension object. */
function ensureContainer(doc: Json, location: Location): Json {
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

function deleteTargetAttr(doc: Json, target: Target): void {
  const container = findContainer(doc, target.location);
  if (container) deleteAttr(container, target.def.name);
}

/** Extension objects left empty by removals go away, with their `schemas` entry. */
function dropEmptyExtensions(doc: Json): void {
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    const emptyExtension = key.toLowerCase().startsWith('urn:') && isPlainObject(value) && isEmpty(value);
    if (emptyExtension) removeExtension(doc, key);
  }
}

function removeExtension(doc: Json, urn: string): void {
  deleteAttr(doc, urn);
  undeclareSchema(doc, urn);
}

function isEmpty(value: Json): boolean {
  return Object.keys(value).length === 0;
}

function findKey(container: Json, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(container).find((key) => key.toLowerCase() === lower);
}

function getAttr(container: Json, name: string): unknown {
  const key = findKey(container, name);
  return key === undefined ? undefined : container[key];
}

/** Writes under the canonical name and drops any other casing of it (`nickname` → `nickName`). */
function setAttr(container: Json, name: string, value: unknown): void {
  deleteAttr(container, name);
  container[name] = value;
}

function deleteAttr(container: Json, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(container)) if (key.toLowerCase() === lower) delete container[key];
}

function withoutKey(element: Json, name: string): Json {
  const copy = { ...element };
  deleteAttr(copy, name);
  return copy;
}

function subAttrName(name: string): string {
  return SUB_ATTRS.get(name.toLowerCase()) ?? name;
}

/** RFC 7644 §3.5.2.3: sub-attributes not in the value are left unchanged; null removes one. */
function mergeSubAttrs(current: Json, patch: Json): Json {
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const name = subAttrName(key);
    if (value === null) deleteAttr(merged, name);
    else setAttr(merged, name, value);
  }
  return merged;
}

// ---- value checks --------------------------------------------------------------------------------

function requireBoolean(name: string, value: unknown): boolean {
  const bool = asBoolean(value);
  if (bool === undefined) {
    throw ScimError.badRequest('invalidValue', `"${name}" must be a boolean (true/false or "True"/"False").`);
  }
  return bool;
}

function requireObject(name: string, value: unknown): Json {
  if (!isPlainObject(value)) throw ScimError.badRequest('invalidValue', `"${name}" must be an object.`);
  return value;
}

function requireScalar(name: string, value: unknown): unknown {
  if (!isScalar(value)) throw ScimError.badRequest('invalidValue', `"${name}" must be a single value.`);
  return value;
}

function asObject(value: unknown): Json {
  return isPlainObject(value) ? value : {};
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => deepEqual(a[key], b[key]));
}

function syntax(detail: string): ScimError {
  return ScimError.badRequest('invalidSyntax', detail);
}

function attrTable(groups: Partial<Record<AttrKind, string[]>>): Map<string, AttrDef> {
  const table = new Map<string, AttrDef>();
  for (const [kind, names] of Object.entries(groups) as [AttrKind, string[]][]) {
    for (const name of names) table.set(name.toLowerCase(), { name, kind });
  }
  return table;
}
