/**
 * Turns SCIM PATCH operations on a Group into a plan the server applies in SQL. The plan never
 * depends on the current members, so a PATCH costs O(changed ids), not O(group size)
 * (idp-interop.md E, #35). Pure: no DB, no HTTP.
 */
import { optionalPath, parseOpName, parsePatchPath, pathlessEntries } from './patch-path';
import type { PatchOpName, PatchPath, ValueFilter } from './patch-path';
import { ScimError } from './scim-error';

/**
 * Apply as: if `replaceMembersWith` is set, members := replaceMembersWith (add/remove lists are
 * then empty); otherwise members := (members − removeMemberIds) ∪ addMemberIds. The two lists never
 * share an id, so the order in which the server runs them does not matter.
 */
export interface GroupPatchPlan {
  displayName?: string;
  externalId?: string | null;
  addMemberIds: string[];
  removeMemberIds: string[];
  replaceMembersWith?: string[];
}

type Json = Record<string, unknown>;

/** Insertion-ordered sets so plans (and tests) are deterministic. */
interface PlanState {
  displayName?: string;
  externalId?: string | null;
  add: Set<string>;
  remove: Set<string>;
  replace?: Set<string>;
}

export function planGroupPatch(operations: unknown[]): GroupPatchPlan {
  if (!Array.isArray(operations)) throw ScimError.badRequest('invalidSyntax', 'Operations must be an array.');
  const state: PlanState = { add: new Set(), remove: new Set() };
  for (const operation of operations) applyOperation(state, operation);
  return toPlan(state);
}

function applyOperation(state: PlanState, operation: unknown): void {
  if (!isPlainObject(operation))
    throw ScimError.badRequest('invalidSyntax', 'Each operation must be an object.');
  const op = parseOpName(operation.op);
  const path = optionalPath(operation.path);
  const value = operation.value;
  if (op !== 'remove' && value === undefined) {
    throw ScimError.badRequest('invalidValue', `The ${op} operation needs a value.`);
  }
  if (path === undefined) applyPathless(state, op, value);
  else applyPath(state, op, parsePatchPath(path), value);
}

/** `{"op":"replace","value":{"id":…,"displayName":…}}` (Okta) or `{"op":"add","value":{"members":[…]}}`. */
function applyPathless(state: PlanState, op: PatchOpName, value: unknown): void {
  for (const [key, attrValue] of pathlessEntries(op, value))
    applyPath(state, op, parsePatchPath(key), attrValue);
}

function applyPath(state: PlanState, op: PatchOpName, path: PatchPath, value: unknown): void {
  if (path.schema !== undefined) throw unsupportedPath(path);
  switch (path.attr.toLowerCase()) {
    case 'id':
    case 'meta':
    case 'schemas':
      throw ScimError.badRequest('mutability', `Attribute "${path.attr}" is read-only.`);
    case 'displayname':
      assertWholeAttribute(path);
      state.displayName = displayNameFrom(op, value);
      return;
    case 'externalid':
      assertWholeAttribute(path);
      state.externalId = externalIdFrom(op, value);
      return;
    case 'members':
      return applyMembers(state, op, path, value);
    default:
      throw unsupportedPath(path);
  }
}

function displayNameFrom(op: PatchOpName, value: unknown): string {
  if (op === 'remove')
    throw ScimError.badRequest('invalidValue', 'displayName is required and cannot be removed.');
  if (typeof value !== 'string' || value.trim() === '') {
    throw ScimError.badRequest('invalidValue', 'displayName must be a non-empty string.');
  }
  return value;
}

/** Remove, or a null value, clears externalId. */
function externalIdFrom(op: PatchOpName, value: unknown): string | null {
  if (op === 'remove' || value === null) return null;
  if (typeof value !== 'string') throw ScimError.badRequest('invalidValue', 'externalId must be a string.');
  return value;
}

// ---- members -------------------------------------------------------------------------------------

function applyMembers(state: PlanState, op: PatchOpName, path: PatchPath, value: unknown): void {
  if (path.subAttr !== undefined) throw unsupportedPath(path);
  if (path.valueFilter !== undefined) {
    // `members[value eq "id"]` only makes sense as a remove (Okta #30, Entra flagged #34).
    if (op !== 'remove') throw unsupportedPath(path);
    return removeMembers(state, memberIdsFromFilter(path.valueFilter));
  }
  switch (op) {
    case 'add':
      return addMembers(state, value === null ? [] : memberIds(value));
    case 'replace':
      return replaceMembers(state, value === null ? [] : memberIds(value));
    case 'remove':
      // Entra's default remove lists the ids: remove ONLY those (#34). No value at all means all.
      return value === undefined || value === null
        ? replaceMembers(state, [])
        : removeMembers(state, memberIds(value));
  }
}

function addMembers(state: PlanState, ids: string[]): void {
  for (const id of ids) {
    if (state.replace) state.replace.add(id);
    else {
      state.remove.delete(id);
      state.add.add(id);
    }
  }
}

function removeMembers(state: PlanState, ids: string[]): void {
  for (const id of ids) {
    if (state.replace) state.replace.delete(id);
    else {
      // An add earlier in this request is undone, and the id must also go if it was a member before.
      state.add.delete(id);
      state.remove.add(id);
    }
  }
}

/** A full replace supersedes every earlier membership op; later ops fold into it. */
function replaceMembers(state: PlanState, ids: string[]): void {
  state.replace = new Set(ids);
  state.add.clear();
  state.remove.clear();
}

/** `[{"value":"<uid>","display":"…"}]` or `[{"$ref":null,"value":"<uid>"}]` → ids, deduplicated. */
function memberIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return [...new Set(list.map(memberId))];
}

function memberId(member: unknown): string {
  const key = isPlainObject(member)
    ? Object.keys(member).find((k) => k.toLowerCase() === 'value')
    : undefined;
  const id = key === undefined ? undefined : (member as Json)[key];
  if (typeof id !== 'string' || id.trim() === '') {
    throw ScimError.badRequest(
      'invalidValue',
      'Each member must be an object with a non-empty string "value".',
    );
  }
  return id;
}

/** `value eq "a"` or `value eq "a" or value eq "b"`: anything else would need the current members. */
function memberIdsFromFilter(filter: ValueFilter): string[] {
  if (filter.op === 'or') return [...new Set(filter.filters.flatMap(memberIdsFromFilter))];
  if (filter.op === 'eq' && filter.attrPath.toLowerCase() === 'value') {
    return [memberId({ value: filter.compValue })];
  }
  throw ScimError.badRequest('invalidPath', 'Only members[value eq "<id>"] filters are supported.');
}

// ---- helpers -------------------------------------------------------------------------------------

function assertWholeAttribute(path: PatchPath): void {
  if (path.subAttr !== undefined || path.valueFilter !== undefined) throw unsupportedPath(path);
}

function unsupportedPath(path: PatchPath): ScimError {
  const shown = [path.schema, path.attr].filter(Boolean).join(':') + (path.subAttr ? `.${path.subAttr}` : '');
  const filtered = path.valueFilter ? ' (with a value filter)' : '';
  return ScimError.badRequest('invalidPath', `Unsupported Group PATCH path "${shown}"${filtered}.`);
}

function toPlan(state: PlanState): GroupPatchPlan {
  const plan: GroupPatchPlan = {
    addMemberIds: [...state.add],
    removeMemberIds: [...state.remove],
  };
  if (state.replace) plan.replaceMembersWith = [...state.replace];
  if (state.displayName !== undefined) plan.displayName = state.displayName;
  if (state.externalId !== undefined) plan.externalId = state.externalId;
  return plan;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
