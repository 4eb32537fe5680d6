import type { FieldKind } from '../query';
import { normalizeCaseInsensitive } from '../text';
import type { User } from './user';

/**
 * The attributes of RFC 7643's User (and the enterprise extension) that live only in the user's
 * SCIM document, not in columns of their own. Their values are copied into an index table on
 * every write, keyed by these names, so that a filter on any of them runs in SQL.
 */
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Single-valued attributes: field name → where in the document, and how it compares. */
export const profileFields = {
  nickName: { path: ['nickName'], kind: 'ci' },
  profileUrl: { path: ['profileUrl'], kind: 'ci' },
  title: { path: ['title'], kind: 'ci' },
  userType: { path: ['userType'], kind: 'ci' },
  preferredLanguage: { path: ['preferredLanguage'], kind: 'ci' },
  locale: { path: ['locale'], kind: 'ci' },
  timezone: { path: ['timezone'], kind: 'ci' },
  formattedName: { path: ['name', 'formatted'], kind: 'ci' },
  middleName: { path: ['name', 'middleName'], kind: 'ci' },
  honorificPrefix: { path: ['name', 'honorificPrefix'], kind: 'ci' },
  honorificSuffix: { path: ['name', 'honorificSuffix'], kind: 'ci' },
  costCenter: { path: [ENTERPRISE, 'costCenter'], kind: 'ci' },
  organization: { path: [ENTERPRISE, 'organization'], kind: 'ci' },
  division: { path: [ENTERPRISE, 'division'], kind: 'ci' },
  department: { path: [ENTERPRISE, 'department'], kind: 'ci' },
} as const satisfies Record<string, { path: readonly string[]; kind: FieldKind }>;

export type ProfileField = keyof typeof profileFields;

const common = { value: 'ci', display: 'ci', type: 'ci', primary: 'bool' } as const;

/** Multi-valued attributes: their elements' sub-attributes and how each compares. */
export const profileCollections = {
  phoneNumbers: common,
  ims: common,
  photos: common,
  entitlements: common,
  roles: common,
  // RFC 7643 §2.3.6: binary values are case-exact.
  x509Certificates: { ...common, value: 'ce' },
  addresses: {
    formatted: 'ci',
    streetAddress: 'ci',
    locality: 'ci',
    region: 'ci',
    postalCode: 'ci',
    country: 'ci',
    type: 'ci',
    primary: 'bool',
  },
} as const satisfies Record<string, Record<string, FieldKind>>;

export type ProfileCollection = keyof typeof profileCollections;

/** One row of the index: `attr` is a field name, a collection name (the element itself) or `collection.sub`. */
export interface IndexedValue {
  attr: string;
  position: number;
  value: string;
}

/** `emails.display`: the one sub-attribute of emails without a column of its own. */
export const emailDisplayAttr = 'emails.display';

/** The rows a user's document gives: folded like the `_norm` columns (ci), as sent (ce), 1/0 (bool). */
export function profileIndexOf(user: Pick<User, 'profile'>): IndexedValue[] {
  const rows: IndexedValue[] = [];
  for (const [attr, { path, kind }] of Object.entries(profileFields)) {
    const value = keyed(user.profile, path);
    const stored = indexed(kind, value);
    if (stored !== null) rows.push({ attr, position: 0, value: stored });
  }
  for (const [collection, subs] of Object.entries(profileCollections)) {
    elementsOf(user.profile, collection).forEach((element, position) => {
      rows.push({ attr: collection, position, value: '' });
      for (const [sub, kind] of Object.entries(subs)) {
        // RFC 7643 §2.4: an element without `primary` is not the primary one.
        const value = keyed(element, [sub]) ?? (sub === 'primary' ? false : undefined);
        const stored = indexed(kind as FieldKind, value);
        if (stored !== null) rows.push({ attr: `${collection}.${sub}`, position, value: stored });
      }
    });
  }
  // Emails are positioned as in user_emails: the elements that have a value, in order.
  const withValue = elementsOf(user.profile, 'emails').filter((e) => typeof keyed(e, ['value']) === 'string');
  withValue.forEach((element, position) => {
    const stored = indexed('ci', keyed(element, ['display']));
    if (stored !== null) rows.push({ attr: emailDisplayAttr, position, value: stored });
  });
  return rows;
}

function indexed(kind: FieldKind, value: unknown): string | null {
  if (kind === 'bool') return typeof value === 'boolean' ? (value ? '1' : '0') : null;
  if (typeof value !== 'string' || value === '') return null;
  return kind === 'ci' ? normalizeCaseInsensitive(value) : value;
}

/** Attribute names are case-insensitive (RFC 7643 §2.1); own keys only. */
function keyed(container: unknown, path: readonly string[]): unknown {
  let current = container;
  for (const name of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const lower = name.toLowerCase();
    const key = Object.keys(current).find((k) => k.toLowerCase() === lower);
    current = key === undefined ? undefined : (current as Record<string, unknown>)[key];
  }
  return current;
}

function elementsOf(profile: unknown, name: string): Record<string, unknown>[] {
  const list = keyed(profile, [name]);
  if (!Array.isArray(list)) return [];
  return list.filter(
    (e): e is Record<string, unknown> => e !== null && typeof e === 'object' && !Array.isArray(e),
  );
}
