/**
 * Checks on the values of User PATCH operations. A value of the wrong shape is a 400
 * invalidValue that names the attribute, so the caller discards the whole patch.
 */
import { asBoolean } from './patch-path';
import { ScimError } from './scim-error';
import { findKey, isPlainObject, isScalar, type Json } from './json-attrs';

export function requireBoolean(name: string, value: unknown): boolean {
  const bool = asBoolean(value);
  if (bool === undefined) {
    throw ScimError.badRequest('invalidValue', `"${name}" must be a boolean (true/false or "True"/"False").`);
  }
  return bool;
}

export function requireObject(name: string, value: unknown): Json {
  if (!isPlainObject(value)) throw ScimError.badRequest('invalidValue', `"${name}" must be an object.`);
  return value;
}

export function requireScalar(name: string, value: unknown): unknown {
  if (!isScalar(value)) throw ScimError.badRequest('invalidValue', `"${name}" must be a single value.`);
  return value;
}

/** The manager id from `"id"`, `{value}`, or `[{value, $ref}]`; null means "no manager". */
export function managerId(value: unknown): string | null {
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
