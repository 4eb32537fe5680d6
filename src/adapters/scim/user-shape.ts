/**
 * A cheap check of a User document's shape before scimmy coerces it: every known attribute has
 * the type RFC 7643 gives it, every string and list is within its bound, every schema it names
 * exists. scimmy would take seconds over a megabyte string where an object belongs (and then drop
 * it silently); this walk is linear and refuses it with a 400 that names the attribute.
 */
import SCIMMY from 'scimmy';
import { characterCount, textLimits } from '../../domain/text';
import { isPlainObject, type Json } from './json-attrs';
import { ScimError } from './scim-error';
import { ENTERPRISE_URN, ROSTER_URN, USER_URN } from './urns';

interface Shape {
  name: string;
  type: string;
  multi: boolean;
  subs?: Map<string, Shape>;
}

interface Definition {
  name: string;
  type: string;
  config?: { multiValued?: boolean };
  subAttributes?: Definition[];
}

/** Server-owned attributes: never checked here, the input mapping drops them. */
const serverOwned = new Set(['schemas', 'id', 'meta', 'groups']);

function shapesOf(attributes: readonly Definition[]): Map<string, Shape> {
  return new Map(
    attributes
      // Once extended, scimmy lists the extensions among the attributes; they have no config.
      .filter((a) => a.config !== undefined && !serverOwned.has(a.name))
      .map((a) => [
        a.name.toLowerCase(),
        {
          name: a.name,
          type: a.type,
          multi: a.config?.multiValued === true,
          ...(a.subAttributes ? { subs: shapesOf(a.subAttributes) } : {}),
        },
      ]),
  );
}

const definitions = () => ({
  core: shapesOf(SCIMMY.Schemas.User.definition.attributes as unknown as Definition[]),
  enterprise: shapesOf(SCIMMY.Schemas.EnterpriseUser.definition.attributes as unknown as Definition[]),
});
let shapes: ReturnType<typeof definitions> | undefined;

/** The schema URNs a User may name. */
export const knownUserSchemas: readonly string[] = [USER_URN, ENTERPRISE_URN, ROSTER_URN];

/** `schemas`, if sent, names the core User schema and no schema Roster does not have. */
export function assertUserSchemas(schemas: unknown): void {
  assertSchemas(schemas, USER_URN, knownUserSchemas);
}

export function assertSchemas(schemas: unknown, core: string, known: readonly string[]): void {
  if (schemas === undefined || schemas === null) return;
  if (!Array.isArray(schemas) || schemas.some((s) => typeof s !== 'string')) {
    throw invalid('"schemas" must be a list of schema URNs');
  }
  const lower = new Set(known.map((urn) => urn.toLowerCase()));
  const unknown = (schemas as string[]).find((urn) => !lower.has(urn.toLowerCase()));
  if (unknown !== undefined) {
    throw invalid(`The schema "${shown(unknown)}" is not one this server has; see /Schemas`);
  }
  if (!(schemas as string[]).some((urn) => urn.toLowerCase() === core.toLowerCase())) {
    throw invalid(`"schemas" must include ${core}`);
  }
}

/**
 * The sizes alone, before anything copies or walks the body element by element: no list longer
 * than a User attribute may be, no string longer than its longest value (a certificate). The JSON
 * depth is already bounded, so this walk is short; 30,000 emails must not be copied first.
 */
export function assertUserSizes(value: unknown, path = 'the body'): void {
  if (typeof value === 'string') {
    if (value.length > textLimits.binaryValue) {
      throw invalid(`${path} holds a string longer than ${textLimits.binaryValue} characters`);
    }
  } else if (Array.isArray(value)) {
    if (value.length > textLimits.profileValues) {
      throw invalid(`"${path}" has more than ${textLimits.profileValues} values`);
    }
    for (const item of value) assertUserSizes(item, path);
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) assertUserSizes(item, shown(key));
  }
}

/** The sub-attribute names (lowercase) of a complex attribute of the core or enterprise schema. */
export function subAttributesOf(
  schema: 'core' | 'enterprise',
  attr: string,
): ReadonlySet<string> | undefined {
  shapes ??= definitions();
  const subs = shapes[schema].get(attr.toLowerCase())?.subs;
  return subs ? new Set(subs.keys()) : undefined;
}

/** Checks the attributes of a User document (after nulls and server-owned keys are dropped). */
export function assertUserShape(doc: Json): void {
  shapes ??= definitions();
  for (const [key, value] of Object.entries(doc)) {
    const lower = key.toLowerCase();
    if (lower === ENTERPRISE_URN.toLowerCase()) checkExtension(key, value, shapes.enterprise);
    else if (lower === USER_URN.toLowerCase()) checkExtension(key, value, shapes.core);
    else if (lower.startsWith(`${ENTERPRISE_URN.toLowerCase()}:`)) {
      checkDotted(key, key.slice(ENTERPRISE_URN.length + 1), value, shapes.enterprise);
    } else if (lower.startsWith(`${USER_URN.toLowerCase()}:`)) {
      checkDotted(key, key.slice(USER_URN.length + 1), value, shapes.core);
    } else if (lower.startsWith('urn:')) {
      throw invalid(`The schema extension "${shown(key)}" is not one this server has; see /Schemas`);
    } else {
      const shape = shapes.core.get(lower);
      // Other names are not attributes of the schema; scimmy leaves them out.
      if (shape) checkValue(shape, value, shape.name);
    }
  }
}

function checkExtension(key: string, value: unknown, attributes: Map<string, Shape>): void {
  if (!isPlainObject(value)) throw invalid(`${shown(key)} must be an object of its attributes`);
  for (const [name, attrValue] of Object.entries(value)) {
    const shape = attributes.get(name.toLowerCase());
    if (!shape) throw invalid(`${shown(key)} has no attribute "${shown(name)}"`);
    checkValue(shape, attrValue, `${key}:${shape.name}`);
  }
}

/** `urn:…:enterprise:2.0:User:department` or `…:manager.value` (Entra's dotted keys). */
function checkDotted(key: string, path: string, value: unknown, attributes: Map<string, Shape>): void {
  const [name, sub] = path.split('.', 2);
  const shape = attributes.get(name.toLowerCase());
  if (!shape) throw invalid(`"${shown(key)}" is not an attribute of the schema`);
  if (sub === undefined) return checkValue(shape, value, key);
  const subShape = shape.subs?.get(sub.toLowerCase());
  if (!subShape) throw invalid(`"${shown(key)}" is not an attribute of the schema`);
  checkValue(subShape, value, key);
}

function checkValue(shape: Shape, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  if (shape.multi) {
    if (!Array.isArray(value)) throw invalid(`"${path}" must be a list`);
    if (value.length > textLimits.profileValues) {
      throw invalid(`"${path}" has more than ${textLimits.profileValues} values`);
    }
    for (const element of value) checkSingle(shape, element, path);
    return;
  }
  checkSingle(shape, value, path);
}

function checkSingle(shape: Shape, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  switch (shape.type) {
    case 'complex':
      if (!isPlainObject(value)) throw invalid(`"${path}" must be an object`);
      for (const [name, subValue] of Object.entries(value)) {
        const sub = shape.subs?.get(name.toLowerCase());
        if (!sub) throw invalid(`"${path}" has no sub-attribute "${shown(name)}"`);
        checkValue(sub, subValue, `${path}.${sub.name}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(`"${path}" must be true or false`);
      return;
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number') throw invalid(`"${path}" must be a number`);
      return;
    default:
      if (typeof value !== 'string') throw invalid(`"${path}" must be a string`);
      if (characterCount(value) > limitOf(path)) {
        throw invalid(`"${path}" is longer than ${limitOf(path)} characters`);
      }
  }
}

/** A certificate (base64 DER) is longer than any name; everything else shares the profile bound. */
function limitOf(path: string): number {
  return /^x509certificates\.value$/i.test(path) ? textLimits.binaryValue : textLimits.profileValue;
}

/** A name from the request, shortened for the message. */
function shown(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function invalid(detail: string): ScimError {
  return ScimError.badRequest('invalidValue', detail);
}
