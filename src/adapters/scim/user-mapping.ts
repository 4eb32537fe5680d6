import SCIMMY from 'scimmy';
import { withoutNulls } from './json';
import type { UserId } from '../../domain/ids';
import type { EffectiveRole } from '../../domain/access/effective-role';
import type { User, UserDraft, UserEmail, UserView } from '../../domain/users/user';
import type { MfaRequirement } from '../../domain/mfa/mfa-policy';
import { etagOf } from './etag';
import { declareSchemas } from './schemas';
import { isoTimestamp } from './timestamps';
// From urns, not the schemas module's re-export: that one is a getter, read on every key of every user.
import { ENTERPRISE_URN, ROSTER_URN, USER_URN } from './urns';
import { ScimError } from './scim-error';
import { multiValuedUserAttributes } from './user-attributes';
import { getAttr } from './json-attrs';
import { assertUserSchemas, assertUserShape, assertUserSizes } from './user-shape';

type Json = Record<string, unknown>;

/** Attributes a client may send but never sets: server-owned or write-only (idp-interop.md #14). */
const ignoredOnInput = new Set(['id', 'meta', 'groups', 'password', 'schemas']);

/**
 * Turns a SCIM User body (POST, PUT, or the result of a PATCH) into the domain's draft.
 * Nulls are dropped (Entra sends them), booleans sent as strings are read, and scimmy checks
 * every attribute's type against RFC 7643, so a bad value is a 400 invalidValue that names it.
 */
export function userDraftFrom(
  body: unknown,
  fallback?: Pick<User, 'active'>,
  options: { mfaWhenAbsent?: 'keep' | 'clear' } = {},
): UserDraft {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw ScimError.badRequest('invalidSyntax', 'The request body must be a SCIM User JSON object');
  }
  assertUserSizes(body);
  const mfaRequired = mfaFlagFrom(body as Json, options.mfaWhenAbsent ?? 'keep');
  assertUserSchemas(getAttr(body as Json, 'schemas'));
  const prepared = prepare(body as Json);
  // Types and sizes first, in one linear walk: scimmy's coercion is slow on the wrong shapes.
  assertUserShape(prepared);
  const doc = coerce(prepared);
  const userName = doc.userName;
  if (typeof userName !== 'string' || !userName.trim()) {
    throw ScimError.badRequest('invalidValue', 'userName is required');
  }
  const name = (doc.name as Json | undefined) ?? {};
  const enterprise = (doc[ENTERPRISE_URN] as Json | undefined) ?? {};
  const emails = ((doc.emails as Json[] | undefined) ?? []).filter((e) => typeof e.value === 'string');
  const active = typeof doc.active === 'boolean' ? doc.active : (fallback?.active ?? true);
  return {
    userName,
    externalId: str(doc.externalId),
    active,
    displayName: str(doc.displayName),
    givenName: str(name.givenName),
    familyName: str(name.familyName),
    employeeNumber: str(enterprise.employeeNumber),
    managerId: (str((enterprise.manager as Json | undefined)?.value) as UserId | null) ?? null,
    emails: emails.map((e): UserEmail => ({
      value: e.value as string,
      type: str(e.type),
      primary: e.primary === true,
    })),
    profile: { ...doc, active },
    ...(mfaRequired !== undefined ? { mfaRequired } : {}),
  };
}

/**
 * The extension's one writable attribute. A POST or PUT that leaves it out keeps the flag (an IdP
 * that does not map it must not erase what an admin set); null clears it. After a PATCH the whole
 * document is sent, so there an absent flag was removed (`mfaWhenAbsent: 'clear'`).
 */
function mfaFlagFrom(body: Json, whenAbsent: 'keep' | 'clear'): boolean | null | undefined {
  const extKey = Object.keys(body).find((k) => k.toLowerCase() === ROSTER_URN.toLowerCase());
  const extension = extKey === undefined ? undefined : body[extKey];
  const absent = whenAbsent === 'clear' ? null : undefined;
  if (extension === null || extension === undefined) return absent;
  if (typeof extension !== 'object' || Array.isArray(extension)) {
    throw ScimError.badRequest('invalidValue', `${ROSTER_URN} must be an object of its attributes`);
  }
  const ext = extension as Json;
  const key = Object.keys(ext).find((k) => k.toLowerCase() === 'mfarequired');
  if (key === undefined) return absent;
  const value = booleanish(ext[key]);
  if (value === null || typeof value === 'boolean') return value;
  throw ScimError.badRequest(
    'invalidValue',
    '"mfaRequired" must be a boolean (true/false or "True"/"False")',
  );
}

/**
 * The SCIM resource for a user, as every endpoint returns it: `schemas`, `id`, `externalId`, the
 * stored document in its own order (the enterprise extension, with the manager column as the
 * truth, then Roster's extension, last), `userName`, `active`, `groups` and `meta`. Built in one
 * pass by assignment, which keeps the key order object spreads would give: a list page builds a
 * hundred of these, and the spreads and rest copies cost more than the SQL that read them.
 */
export function userResource(view: UserView, baseUrl: string, roleName: (key: string) => string): Json {
  const { user, groups } = view;
  const out: Json = { schemas: undefined, id: user.id };
  if (user.externalId !== null) out.externalId = user.externalId;
  const profile = user.profile;
  for (const key of Object.keys(profile)) {
    if (key !== 'schemas' && key !== ROSTER_URN && key !== ENTERPRISE_URN) assign(out, key, profile[key]);
  }
  const enterprise = enterpriseWithManager(profile, user.managerId);
  const schemas = [USER_URN];
  if (enterprise) {
    assign(out, ENTERPRISE_URN, enterprise);
    schemas.push(ENTERPRISE_URN);
  }
  if (view.role) {
    assign(out, ROSTER_URN, rosterExtension(view.role, roleName, user.mfaRequired, view.mfa));
    schemas.push(ROSTER_URN);
  }
  out.schemas = schemas;
  out.userName = user.userName;
  out.active = user.active;
  const groupRefs = new Array<Json>(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    groupRefs[i] = { value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.displayName, type: 'direct' };
  }
  out.groups = groupRefs;
  out.meta = {
    resourceType: 'User',
    created: isoTimestamp(user.created),
    lastModified: isoTimestamp(user.lastModified),
    location: `${baseUrl}/Users/${user.id}`,
    version: etagOf(user.version),
  };
  return out;
}

/** Sets a key as a spread would: a stored `__proto__` key stays data, never the prototype. */
function assign(target: Json, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

/** The stored enterprise extension with the manager column's value; undefined when it ends up empty. */
function enterpriseWithManager(profile: Json, managerId: string | null): Json | undefined {
  const stored = profile[ENTERPRISE_URN] as Json | undefined;
  if (stored === undefined && !managerId) return undefined;
  const enterprise = { ...(stored ?? {}) };
  if (managerId) enterprise.manager = { value: managerId };
  else delete enterprise.manager;
  return Object.keys(enterprise).length > 0 ? enterprise : undefined;
}

/**
 * What Roster decided, so an IdP admin can see a user's role, where it comes from and whether
 * MFA is enforced (read-only); and the user's own MFA flag, the one attribute the IdP writes.
 */
function rosterExtension(
  role: EffectiveRole,
  roleName: (key: string) => string,
  mfaRequired: boolean | null | undefined,
  mfa: MfaRequirement | undefined,
): Json {
  // By assignment, in the order the attributes are shown: spreads cost a copy each, per user.
  const out: Json = {};
  if (role.roleKey === null) out.role = 'none';
  else {
    out.role = roleName(role.roleKey);
    out.roleKey = role.roleKey;
    out.roleSource = role.source;
    if (role.groupName) out.roleGroup = role.groupName;
  }
  if (mfaRequired === true || mfaRequired === false) out.mfaRequired = mfaRequired;
  if (mfa) out.mfaEnforced = mfa.required;
  if (mfa?.because) out.mfaRequiredBy = mfa.because;
  return out;
}

/** The document a PATCH operates on: the resource without server-owned parts. */
export function patchableDocument(user: User): Json {
  const profile = withManager(user.profile, user.managerId);
  const mfa =
    typeof user.mfaRequired === 'boolean' ? { [ROSTER_URN]: { mfaRequired: user.mfaRequired } } : {};
  return { ...profile, ...mfa, userName: user.userName, externalId: user.externalId, active: user.active };
}

/** The manager column is the truth: it is cleared when the manager is deleted. */
function withManager(profile: Json, managerId: string | null): Json {
  const enterprise = { ...((profile[ENTERPRISE_URN] as Json | undefined) ?? {}) };
  if (managerId) enterprise.manager = { value: managerId };
  else delete enterprise.manager;
  const { [ENTERPRISE_URN]: _previous, ...rest } = profile;
  return Object.keys(enterprise).length > 0 ? { ...rest, [ENTERPRISE_URN]: enterprise } : rest;
}

function prepare(body: Json): Json {
  const doc = withoutNulls(body) as Json;
  for (const key of Object.keys(doc)) {
    if (ignoredOnInput.has(key.toLowerCase() === 'schemas' ? 'schemas' : key)) delete doc[key];
  }
  for (const key of Object.keys(doc)) {
    if (key.toLowerCase() === 'active') doc[key] = booleanish(doc[key]);
    // Their elements carry a `primary` flag that Entra may send as "True".
    const multi = multiValuedUserAttributes.find((m) => m.toLowerCase() === key.toLowerCase());
    if (multi && Array.isArray(doc[key])) {
      doc[key] = (doc[key] as unknown[]).map((e) =>
        e && typeof e === 'object' && 'primary' in e
          ? { ...(e as Json), primary: booleanish((e as Json).primary) }
          : e,
      );
    }
  }
  normalizeManager(doc);
  // The Roster extension is read-only: Roster decides roles, the IdP does not.
  for (const key of Object.keys(doc)) if (key.toLowerCase() === ROSTER_URN.toLowerCase()) delete doc[key];
  return doc;
}

/** Entra and Okta send manager as a bare id, {value}, or [{value, $ref}]; keep `{ value }`. */
function normalizeManager(doc: Json): void {
  const key = Object.keys(doc).find((k) => k.toLowerCase() === ENTERPRISE_URN.toLowerCase());
  if (!key || typeof doc[key] !== 'object') return;
  const enterprise = { ...(doc[key] as Json) };
  const managerKey = Object.keys(enterprise).find((k) => k.toLowerCase() === 'manager');
  if (managerKey) {
    const raw = enterprise[managerKey];
    const first = Array.isArray(raw) ? raw[0] : raw;
    const value = typeof first === 'string' ? first : (first as Json | undefined)?.value;
    if (typeof value === 'string' && value) enterprise[managerKey] = { value };
    else delete enterprise[managerKey];
  }
  doc[key] = enterprise;
}

function coerce(doc: Json): Json {
  declareSchemas();
  try {
    const coerced = new SCIMMY.Schemas.User(doc, 'in') as unknown as Json;
    const { meta: _meta, schemas: _schemas, ...rest } = JSON.parse(JSON.stringify(coerced)) as Json;
    return rest;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw ScimError.badRequest('invalidValue', message);
  }
}

function booleanish(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
