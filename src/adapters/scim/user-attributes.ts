/**
 * The SCIM User attributes (RFC 7643 §4.1, §4.3) and the kind of each, as PATCH and input
 * mapping need them. Keys are lowercase; `name` keeps the canonical casing.
 */

// 'unknown' covers attributes outside RFC 7643 (custom extensions): their shape follows the value.
export type AttrKind =
  'simple' | 'boolean' | 'complex' | 'multi' | 'readOnly' | 'writeOnly' | 'manager' | 'unknown';

export interface AttrDef {
  name: string;
  kind: AttrKind;
}

export const CORE_ATTRS = attrTable({
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

export const ENTERPRISE_ATTRS = attrTable({
  simple: ['employeeNumber', 'costCenter', 'organization', 'division', 'department'],
  manager: ['manager'],
});

/**
 * Roster's extension: what Roster decided is read-only; the user's own MFA flag is the one
 * attribute an IdP writes.
 */
export const ROSTER_ATTRS = attrTable({
  boolean: ['mfaRequired'],
  readOnly: ['role', 'roleKey', 'roleSource', 'roleGroup', 'mfaEnforced', 'mfaRequiredBy'],
});

/**
 * The writable multi-valued core attributes. Every one of them has a `primary` sub-attribute
 * (RFC 7643 §4.1.2), which Entra may send as "True".
 */
export const multiValuedUserAttributes: readonly string[] = [...CORE_ATTRS.values()]
  .filter((def) => def.kind === 'multi')
  .map((def) => def.name);

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

export function subAttrName(name: string): string {
  return SUB_ATTRS.get(name.toLowerCase()) ?? name;
}

function attrTable(groups: Partial<Record<AttrKind, string[]>>): Map<string, AttrDef> {
  const table = new Map<string, AttrDef>();
  for (const [kind, names] of Object.entries(groups) as [AttrKind, string[]][]) {
    for (const name of names) table.set(name.toLowerCase(), { name, kind });
  }
  return table;
}
