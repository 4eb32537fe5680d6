import { userResource } from '../../src/adapters/scim/user-mapping';
import { etagOf } from '../../src/adapters/scim/etag';
import { ENTERPRISE_URN, ROSTER_URN, USER_URN } from '../../src/adapters/scim/schemas';
import type { UserView } from '../../src/domain/users/user';
import type { UserId } from '../../src/domain/ids';

type Json = Record<string, unknown>;
const baseUrl = 'https://roster.example.test/scim/v2';
const roleName = (key: string) => `Role ${key}`;

/**
 * The resource as it was built before the one-pass builder (object spreads and rest copies):
 * the reference the fast builder must match key for key and in the same order.
 */
function referenceResource(view: UserView): Json {
  const { user, groups } = view;
  const withManager = (profile: Json, managerId: string | null): Json => {
    const enterprise = { ...((profile[ENTERPRISE_URN] as Json | undefined) ?? {}) };
    if (managerId) enterprise.manager = { value: managerId };
    else delete enterprise.manager;
    const { [ENTERPRISE_URN]: _previous, ...rest } = profile;
    return Object.keys(enterprise).length > 0 ? { ...rest, [ENTERPRISE_URN]: enterprise } : rest;
  };
  const { schemas: _schemas, [ROSTER_URN]: _sent, ...rest } = withManager(user.profile, user.managerId);
  const role = view.role;
  const extension = role
    ? {
        ...(role.roleKey === null
          ? { role: 'none' }
          : {
              role: roleName(role.roleKey),
              roleKey: role.roleKey,
              roleSource: role.source,
              ...(role.groupName ? { roleGroup: role.groupName } : {}),
            }),
        ...(user.mfaRequired === true || user.mfaRequired === false ? { mfaRequired: user.mfaRequired } : {}),
        ...(view.mfa ? { mfaEnforced: view.mfa.required } : {}),
        ...(view.mfa?.because ? { mfaRequiredBy: view.mfa.because } : {}),
      }
    : undefined;
  const profile = extension ? { ...rest, [ROSTER_URN]: extension } : rest;
  const extensions = [ENTERPRISE_URN, ROSTER_URN].filter((urn) => urn in profile);
  return {
    schemas: [USER_URN, ...extensions],
    id: user.id,
    ...(user.externalId !== null ? { externalId: user.externalId } : {}),
    ...profile,
    userName: user.userName,
    active: user.active,
    groups: groups.map((g) => ({
      value: g.id,
      $ref: `${baseUrl}/Groups/${g.id}`,
      display: g.displayName,
      type: 'direct',
    })),
    meta: {
      resourceType: 'User',
      created: new Date(user.created).toISOString(),
      lastModified: new Date(user.lastModified).toISOString(),
      location: `${baseUrl}/Users/${user.id}`,
      version: etagOf(user.version),
    },
  };
}

function view(overrides: Partial<UserView['user']> = {}, extra: Partial<UserView> = {}): UserView {
  return {
    user: {
      id: 'u-1' as UserId,
      userName: 'Ada@Example.test',
      externalId: 'ext-1',
      active: true,
      managerId: null,
      profile: { userName: 'ada@example.test', name: { givenName: 'Ada' }, active: true },
      version: 3,
      created: Date.UTC(2026, 0, 2, 3, 4, 5),
      lastModified: Date.UTC(2026, 5, 6, 7, 8, 9, 10),
      mfaRequired: null,
      ...overrides,
    },
    groups: [],
    ...extra,
  };
}

const role = { roleKey: 'analyst', source: 'group' as const, groupId: 'g-1', groupName: 'Analysts' };
const profiles: [string, Json][] = [
  ['a plain profile', { userName: 'x', displayName: 'X', emails: [{ value: 'x@e.test', primary: true }] }],
  ['externalId in the profile (it wins, at its early place)', { externalId: 'from-profile', userName: 'x' }],
  ['no userName or active in the profile (appended)', { displayName: 'Only' }],
  [
    'schemas and a sent Roster extension (both dropped)',
    { schemas: ['x'], [ROSTER_URN]: { role: 'owner' }, title: 'T' },
  ],
  [
    'the enterprise extension before other keys (moved last)',
    { [ENTERPRISE_URN]: { department: 'R&D' }, title: 'T' },
  ],
  ['a stored manager that the column no longer has', { [ENTERPRISE_URN]: { manager: { value: 'gone' } } }],
  [
    'unusual keys, __proto__ included',
    JSON.parse('{"__proto__":{"a":1},"constructor":"c","x-y":[1,{"b":null}]}'),
  ],
  ['active and userName first', { active: false, userName: 'first', nickName: 'n' }],
];

describe('userResource (one pass) builds exactly what the spread-based builder built', () => {
  it.each(profiles)('%s', (_label, profile) => {
    const cases: UserView[] = [
      view({ profile }),
      view({ profile, externalId: null, managerId: 'boss' as UserId }),
      view({ profile, mfaRequired: true }, { role, mfa: { required: true, because: 'user' } }),
      view(
        { profile, active: false },
        { role: { ...role, roleKey: null }, groups: [{ id: 'g1', displayName: 'One' }] },
      ),
      view(
        { profile, mfaRequired: false },
        { role: { ...role, groupName: null }, mfa: { required: false, because: null } },
      ),
    ];
    for (const c of cases) {
      const built = userResource(c, baseUrl, roleName);
      // Same keys, same order, same values: compared as the JSON a client receives.
      expect(JSON.stringify(built)).toBe(JSON.stringify(referenceResource(c)));
      expect(Object.getPrototypeOf(built)).toBe(Object.prototype);
    }
  });
});
