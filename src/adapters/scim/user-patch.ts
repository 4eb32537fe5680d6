/**
 * Applies SCIM PATCH operations (RFC 7644 §3.5.2) to a SCIM User document, in the dialects Okta
 * and Entra actually send (idp-interop.md D and F). Pure: no DB, no HTTP; the input is not mutated.
 * Ops apply in order and any bad op throws a ScimError, so the caller discards the whole patch.
 */
import {
  isIgnoredPathlessKey,
  matchesValueFilter,
  optionalPath,
  parseOpName,
  parsePatchPath,
  pathlessEntries,
} from './patch-path';
import type { PatchOpName as OpName, PatchPath, ValueFilter } from './patch-path';
import { ScimError } from './scim-error';
import {
  asObject,
  deleteAttr,
  findKey,
  getAttr,
  isEmpty,
  isPlainObject,
  setAttr,
  type Json,
} from './json-attrs';
import {
  CORE_ATTRS,
  ENTERPRISE_ATTRS,
  ROSTER_ATTRS,
  subAttrName,
  type AttrDef,
  type AttrKind,
} from './user-attributes';
import {
  dropEmptyExtensions,
  ensureContainer,
  findContainer,
  removeExtension,
  type Location,
} from './user-containers';
import {
  appendElements,
  enforceSinglePrimary,
  existingElements,
  newElementFor,
  removeFromElements,
  removeListedElements,
  replaceElements,
  setElements,
  updateElements,
} from './multi-valued';
import { managerId, requireBoolean, requireObject, requireScalar } from './patch-values';
import { subAttributesOf } from './user-shape';

export type ScimUserDoc = Record<string, unknown>;

export { USER_URN as CORE_USER_URN, ENTERPRISE_URN as ENTERPRISE_USER_URN } from './urns';
import { USER_URN as CORE_USER_URN, ENTERPRISE_URN as ENTERPRISE_USER_URN, ROSTER_URN } from './urns';

interface Target {
  location: Location;
  def: AttrDef;
  subAttr?: string;
  valueFilter?: ValueFilter;
  /** The schema's sub-attributes of a complex attribute (lowercase); absent for others. */
  subAttributes?: ReadonlySet<string>;
}

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
  for (const [key, attrValue] of pathlessEntries(op, value)) {
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
  if (lower === ROSTER_URN.toLowerCase()) return ROSTER_URN;
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
    if (isIgnoredPathlessKey(key)) continue;
    const path = parsePatchPath(key);
    applyToTarget(doc, op, core ? { ...path, schema: undefined } : { ...path, schema: urn }, attrValue);
  }
}

function applyToTarget(doc: Json, op: OpName, path: PatchPath, value: unknown): void {
  const target = withSubAttributes(resolveTarget(doc, path));
  if (target.subAttr && target.subAttributes && !target.subAttributes.has(target.subAttr.toLowerCase())) {
    throw ScimError.badRequest(
      'invalidPath',
      `"${target.def.name}" has no sub-attribute "${target.subAttr}".`,
    );
  }
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
  if (path.schema.toLowerCase() === ROSTER_URN.toLowerCase()) {
    const def = ROSTER_ATTRS.get(key);
    if (!def) throw unknownAttribute(path);
    return { location: { core: false, urn: ROSTER_URN }, def, subAttr, valueFilter };
  }
  // Other extensions are accepted only when the document already uses them.
  const urn = schemaKey(doc, path.schema);
  if (urn === undefined || urn === CORE_USER_URN) throw unknownAttribute(path);
  return { location: { core: false, urn }, def: { name: path.attr, kind: 'unknown' }, subAttr, valueFilter };
}

function withSubAttributes(target: Target): Target {
  const schema = target.location.core
    ? 'core'
    : target.location.urn === ENTERPRISE_USER_URN
      ? 'enterprise'
      : null;
  const subAttributes = schema === null ? undefined : subAttributesOf(schema, target.def.name);
  return subAttributes ? { ...target, subAttributes } : target;
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
    const container = findContainer(doc, target.location);
    if (container) removeListedElements(container, name, value);
    return;
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
      : [elements.push(newElementFor(name, filter, subAttr, value, target.subAttributes)) - 1];
  enforceSinglePrimary(elements, touched);
  setElements(container, name, elements);
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

function deleteTargetAttr(doc: Json, target: Target): void {
  const container = findContainer(doc, target.location);
  if (container) deleteAttr(container, target.def.name);
}

function syntax(detail: string): ScimError {
  return ScimError.badRequest('invalidSyntax', detail);
}
