import { matchesValueFilter, parsePatchPath } from '../../src/adapters/scim/patch-path';
import { ScimError } from '../../src/adapters/scim/scim-error';
import { applyUserPatch, ENTERPRISE_USER_URN, type ScimUserDoc } from '../../src/adapters/scim/user-patch';

const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The user Okta creates in idp-interop.md #14, as the server stores and returns it. */
function oktaUser(): ScimUserDoc {
  return {
    schemas: [CORE_USER_URN],
    id: 'u-1',
    userName: 'test.user@okta.local',
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    active: true,
    meta: { resourceType: 'User' },
  };
}

/** A PatchOp request body, as the IdPs send it; the tests pass its Operations. */
function body(...operations: unknown[]): { schemas: string[]; Operations: unknown[] } {
  return { schemas: [PATCH_OP_URN], Operations: operations };
}

function patch(doc: ScimUserDoc, ...operations: unknown[]): ScimUserDoc {
  return applyUserPatch(doc, body(...operations).Operations);
}

function scimErrorFrom(run: () => unknown): ScimError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ScimError);
    return err as ScimError;
  }
  throw new Error('expected a ScimError');
}

function enterprise(doc: ScimUserDoc): Record<string, unknown> | undefined {
  return doc[ENTERPRISE_USER_URN] as Record<string, unknown> | undefined;
}

describe('applyUserPatch: active (#20, #21)', () => {
  it('applies the Okta deactivate and reactivate bodies (pathless replace)', () => {
    const user = oktaUser();
    const deactivated = patch(user, { op: 'replace', value: { active: false } });
    expect(deactivated.active).toBe(false);
    expect(patch(deactivated, { op: 'replace', value: { active: true } }).active).toBe(true);
  });

  it('returns a new document and leaves the input untouched', () => {
    const user = oktaUser();
    const before = structuredClone(user);
    const result = patch(user, { op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@y' });
    expect(user).toEqual(before);
    expect(result).not.toBe(user);
    expect((result.emails as unknown[])[0]).not.toBe((user.emails as unknown[])[0]);
  });

  it.each(['False', 'false', 'FALSE'])('accepts the Entra default dialect "%s"', (value) => {
    expect(patch(oktaUser(), { op: 'Replace', path: 'active', value }).active).toBe(false);
  });

  it.each(['True', 'true', 'TRUE'])('accepts the Entra default dialect "%s" for reactivation', (value) => {
    const inactive = { ...oktaUser(), active: false };
    expect(patch(inactive, { op: 'Replace', path: 'active', value }).active).toBe(true);
  });

  it('accepts the Entra flagged dialect (aadOptscim062020) with a real boolean', () => {
    expect(patch(oktaUser(), { op: 'replace', path: 'active', value: false }).active).toBe(false);
  });

  it('rejects a value that is not a boolean', () => {
    const err = scimErrorFrom(() => patch(oktaUser(), { op: 'replace', path: 'active', value: 'nope' }));
    expect(err).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});

describe('applyUserPatch: Entra multi-attribute update (#22)', () => {
  const expectUpdated = (result: ScimUserDoc, displayName: string, given: string, family: string) => {
    expect(result.displayName).toBe(displayName);
    expect(result.name).toEqual({ givenName: given, familyName: family });
    expect(result.schemas).toEqual([CORE_USER_URN, ENTERPRISE_USER_URN]);
  };

  it('applies the default dialect, one op per attribute', () => {
    const result = patch(
      oktaUser(),
      { op: 'Replace', path: 'displayName', value: 'Pvlo' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@y' },
      { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
      { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
      { op: 'Replace', path: 'externalId', value: 'Eqpj' },
      { op: 'Replace', path: `${ENTERPRISE_USER_URN}:employeeNumber`, value: 'Eqpj' },
    );
    expectUpdated(result, 'Pvlo', 'Gtfd', 'Pkqf');
    expect(result.emails).toEqual([{ primary: true, value: 'x@y', type: 'work' }]);
    expect(result.externalId).toBe('Eqpj');
    expect(enterprise(result)).toEqual({ employeeNumber: 'Eqpj' });
  });

  it('applies the flagged dialect: pathless with dotted and URN-qualified keys', () => {
    const result = patch(oktaUser(), {
      op: 'replace',
      value: {
        displayName: 'Bjfe',
        'name.givenName': 'Kkom',
        'name.familyName': 'Unua',
        [`${ENTERPRISE_USER_URN}:employeeNumber`]: 'Aklq',
      },
    });
    expectUpdated(result, 'Bjfe', 'Kkom', 'Unua');
    expect(enterprise(result)).toEqual({ employeeNumber: 'Aklq' });
  });

  it('merges a pathless value keyed by the extension URN into the extension', () => {
    const user = { ...oktaUser(), [ENTERPRISE_USER_URN]: { employeeNumber: '7' } };
    const result = patch(user, { op: 'replace', value: { [ENTERPRISE_USER_URN]: { department: 'Sales' } } });
    expect(enterprise(result)).toEqual({ employeeNumber: '7', department: 'Sales' });
  });

  it('accepts the extension URN itself as a path', () => {
    const result = patch(oktaUser(), { op: 'add', path: ENTERPRISE_USER_URN, value: { costCenter: 'CC-1' } });
    expect(enterprise(result)).toEqual({ costCenter: 'CC-1' });
    expect(patch(result, { op: 'remove', path: ENTERPRISE_USER_URN })).toEqual(oktaUser());
  });

  it('matches attribute names case-insensitively and keeps the canonical casing', () => {
    const result = patch(
      oktaUser(),
      { op: 'replace', value: { DisplayName: 'Ann', USERNAME: 'ann@x' } },
      { op: 'replace', path: 'Name.GIVENNAME', value: 'Ann' },
    );
    expect(result).toMatchObject({ displayName: 'Ann', userName: 'ann@x', name: { givenName: 'Ann' } });
    for (const wrongCase of ['DisplayName', 'USERNAME', 'Name']) expect(result).not.toHaveProperty(wrongCase);
    expect(result.name).not.toHaveProperty('GIVENNAME');
  });

  it('merges a complex value into name, leaving other sub-attributes alone (RFC 7644 §3.5.2.3)', () => {
    const result = patch(oktaUser(), { op: 'replace', path: 'name', value: { givenName: 'Tess' } });
    expect(result.name).toEqual({ givenName: 'Tess', familyName: 'User' });
  });

  it('creates the parent of a sub-attribute path when it is missing', () => {
    const { name: _name, ...withoutName } = oktaUser();
    const result = patch(withoutName, { op: 'Add', path: 'name.givenName', value: 'Gtfd' });
    expect(result.name).toEqual({ givenName: 'Gtfd' });
  });
});

describe('applyUserPatch: filtered targets that do not exist yet are created (#23)', () => {
  it('creates each filtered element in one request and keeps the other ops', () => {
    const result = patch(
      oktaUser(),
      { op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '+1 (555) 010-0000' },
      { op: 'Replace', path: 'addresses[type eq "work"].postalCode', value: '94105' },
      { op: 'Replace', path: 'emails[type eq "other"].value', value: 'other@x.test' },
      { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Admin' },
      { op: 'Replace', path: 'displayName', value: 'Kept' },
    );
    // Stored exactly as sent (#27: don't reformat phone numbers).
    expect(result.phoneNumbers).toEqual([{ type: 'work', value: '+1 (555) 010-0000' }]);
    expect(result.addresses).toEqual([{ type: 'work', postalCode: '94105' }]);
    expect(result.emails).toEqual([
      { primary: true, value: 'test.user@okta.local', type: 'work' },
      { type: 'other', value: 'other@x.test' },
    ]);
    expect(result.roles).toEqual([{ primary: true, value: 'Admin' }]);
    expect(result.displayName).toBe('Kept');
  });

  it('updates the matching element when it exists, comparing type case-insensitively', () => {
    const user = {
      ...oktaUser(),
      phoneNumbers: [
        { type: 'Work', value: '1' },
        { type: 'mobile', value: '2' },
      ],
    };
    const result = patch(user, { op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '3' });
    expect(result.phoneNumbers).toEqual([
      { type: 'Work', value: '3' },
      { type: 'mobile', value: '2' },
    ]);
  });

  it('merges an object value into the matching element', () => {
    const result = patch(oktaUser(), {
      op: 'replace',
      path: 'emails[type eq "work"]',
      value: { value: 'new@x.test', display: 'New' },
    });
    expect(result.emails).toEqual([{ primary: true, value: 'new@x.test', type: 'work', display: 'New' }]);
  });

  it('fails with noTarget when nothing matches and the filter cannot describe a new element', () => {
    const err = scimErrorFrom(() =>
      patch(oktaUser(), {
        op: 'replace',
        path: 'phoneNumbers[type eq "work" or type eq "home"].value',
        value: '1',
      }),
    );
    expect(err).toMatchObject({ status: 400, scimType: 'noTarget' });
  });
});

describe('applyUserPatch: add and replace (#24)', () => {
  it('adds a single-valued attribute', () => {
    expect(patch(oktaUser(), { op: 'Add', path: 'nickName', value: 'Babs' }).nickName).toBe('Babs');
  });

  it('appends to a multi-valued attribute without duplicating an identical element', () => {
    const result = patch(oktaUser(), {
      op: 'Add',
      path: 'emails',
      value: [
        { value: 'test.user@okta.local', type: 'work', primary: true },
        { value: 'home@x.test', type: 'home' },
      ],
    });
    expect(result.emails).toEqual([
      { primary: true, value: 'test.user@okta.local', type: 'work' },
      { value: 'home@x.test', type: 'home' },
    ]);
  });

  it('keeps a single primary when an added element claims it', () => {
    const result = patch(oktaUser(), {
      op: 'add',
      path: 'emails',
      value: [{ value: 'home@x.test', type: 'home', primary: 'True' }],
    });
    expect(result.emails).toEqual([
      { primary: false, value: 'test.user@okta.local', type: 'work' },
      { value: 'home@x.test', type: 'home', primary: true },
    ]);
  });

  it('replaces the whole array on a replace without a filter', () => {
    const result = patch(oktaUser(), {
      op: 'replace',
      path: 'emails',
      value: [{ value: 'only@x.test', type: 'work' }],
    });
    expect(result.emails).toEqual([{ value: 'only@x.test', type: 'work' }]);
  });

  it('treats a null value (Entra) as removing the attribute', () => {
    const user = { ...oktaUser(), nickName: 'Babs' };
    const result = patch(user, { op: 'Replace', path: 'nickName', value: null });
    expect(result).not.toHaveProperty('nickName');
  });

  it('accepts and drops password, never storing it (#14)', () => {
    expect(patch(oktaUser(), { op: 'replace', value: { password: 'x1' } })).not.toHaveProperty('password');
  });
});

describe('applyUserPatch: manager (#25)', () => {
  const managerOf = (doc: ScimUserDoc) => enterprise(doc)?.manager;

  it('accepts an add with a one-element list carrying $ref, storing only the id', () => {
    const result = patch(oktaUser(), {
      op: 'Add',
      path: 'manager',
      value: [{ $ref: 'https://roster.test/scim/v2/Users/m-1', value: 'm-1' }],
    });
    expect(managerOf(result)).toEqual({ value: 'm-1' });
    expect(result.schemas).toContain(ENTERPRISE_USER_URN);
  });

  it('accepts the URN path with a bare id', () => {
    const result = patch(oktaUser(), { op: 'Add', path: `${ENTERPRISE_USER_URN}:manager`, value: 'm-2' });
    expect(managerOf(result)).toEqual({ value: 'm-2' });
  });

  it('accepts the URN path with {value, displayName}', () => {
    const result = patch(oktaUser(), {
      op: 'Replace',
      path: `${ENTERPRISE_USER_URN}:manager`,
      value: { value: 'm-3', displayName: 'Boss' },
    });
    expect(managerOf(result)).toEqual({ value: 'm-3' });
  });

  it('accepts manager.value', () => {
    const result = patch(oktaUser(), {
      op: 'replace',
      path: `${ENTERPRISE_USER_URN}:manager.value`,
      value: 'm-4',
    });
    expect(managerOf(result)).toEqual({ value: 'm-4' });
  });

  it('removes the manager on a Remove of the URN path, dropping an emptied extension', () => {
    const user = {
      ...oktaUser(),
      schemas: [CORE_USER_URN, ENTERPRISE_USER_URN],
      [ENTERPRISE_USER_URN]: { manager: { value: 'm-1' } },
    };
    const result = patch(user, { op: 'Remove', path: `${ENTERPRISE_USER_URN}:manager` });
    expect(result).not.toHaveProperty([ENTERPRISE_USER_URN]);
    expect(result.schemas).toEqual([CORE_USER_URN]);
  });

  it('keeps the other enterprise attributes when the manager is removed', () => {
    const user = { ...oktaUser(), [ENTERPRISE_USER_URN]: { department: 'R&D', manager: { value: 'm-1' } } };
    const result = patch(user, { op: 'remove', path: 'manager' });
    expect(enterprise(result)).toEqual({ department: 'R&D' });
  });

  it('rejects a manager value that carries no id', () => {
    const err = scimErrorFrom(() =>
      patch(oktaUser(), { op: 'add', path: 'manager', value: [{ displayName: 'x' }] }),
    );
    expect(err).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});

describe('applyUserPatch: remove (#26)', () => {
  it('rejects a pathless remove with noTarget instead of skipping it', () => {
    const err = scimErrorFrom(() => patch(oktaUser(), { op: 'Remove' }));
    expect(err).toMatchObject({ status: 400, scimType: 'noTarget' });
    expect(err.message).toMatch(/A remove operation needs a path/);
  });

  it('removes an attribute', () => {
    const user = { ...oktaUser(), nickName: 'Babs' };
    expect(patch(user, { op: 'remove', path: 'nickName' })).not.toHaveProperty('nickName');
  });

  it('removes the elements a filter matches', () => {
    const user = {
      ...oktaUser(),
      phoneNumbers: [
        { type: 'work', value: '1' },
        { type: 'mobile', value: '2' },
      ],
    };
    const result = patch(user, { op: 'Remove', path: 'phoneNumbers[type eq "work"]' });
    expect(result.phoneNumbers).toEqual([{ type: 'mobile', value: '2' }]);
  });

  it('removes the attribute when its last element goes', () => {
    expect(patch(oktaUser(), { op: 'remove', path: 'emails[type eq "work"]' })).not.toHaveProperty('emails');
  });

  it('removes a sub-attribute of the matching elements only', () => {
    const user = {
      ...oktaUser(),
      addresses: [
        { type: 'work', postalCode: '1', locality: 'A' },
        { type: 'home', postalCode: '2' },
      ],
    };
    const result = patch(user, { op: 'remove', path: 'addresses[type eq "work"].postalCode' });
    expect(result.addresses).toEqual([
      { type: 'work', locality: 'A' },
      { type: 'home', postalCode: '2' },
    ]);
  });

  it('treats a filter that matches nothing as a successful no-op', () => {
    const user = oktaUser();
    expect(patch(user, { op: 'remove', path: 'emails[type eq "home"]' })).toEqual(user);
  });

  it('removes only the listed elements when a remove carries a value', () => {
    const user = { ...oktaUser(), roles: [{ value: 'Admin' }, { value: 'Reader' }] };
    const result = patch(user, { op: 'Remove', path: 'roles', value: [{ value: 'admin' }] });
    expect(result.roles).toEqual([{ value: 'Reader' }]);
  });
});

describe('applyUserPatch: invalid operations', () => {
  it.each(['id', 'meta', 'groups'])('rejects a patch to read-only %s with mutability', (path) => {
    const err = scimErrorFrom(() => patch(oktaUser(), { op: 'replace', path, value: 'x' }));
    expect(err).toMatchObject({ status: 400, scimType: 'mutability' });
  });

  it('ignores id, meta and schemas in a pathless value (Okta echoes the id)', () => {
    const result = patch(oktaUser(), {
      op: 'replace',
      value: { id: 'u-1', meta: { resourceType: 'User' }, schemas: [CORE_USER_URN], active: false },
    });
    expect(result).toEqual({ ...oktaUser(), active: false });
  });

  it('rejects an unknown op with invalidSyntax', () => {
    const err = scimErrorFrom(() => patch(oktaUser(), { op: 'move', path: 'active', value: true }));
    expect(err).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
  });

  it.each(['add', 'Replace'])('rejects %s without a value with invalidValue', (op) => {
    const err = scimErrorFrom(() => patch(oktaUser(), { op, path: 'nickName' }));
    expect(err).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });

  it.each(['emails[type eq', 'emails[type eq "work"]x', 'name.givenName.extra', 'a b'])(
    'rejects the malformed path %s with invalidPath',
    (path) => {
      const err = scimErrorFrom(() => patch(oktaUser(), { op: 'replace', path, value: 'x' }));
      expect(err).toMatchObject({ status: 400, scimType: 'invalidPath' });
    },
  );

  it.each(['favouriteColour', 'urn:example:ext:2.0:User:badge', 'urn:example:ext:2.0:User'])(
    'rejects the unknown attribute %s with invalidPath',
    (path) => {
      const err = scimErrorFrom(() => patch(oktaUser(), { op: 'replace', path, value: 'x' }));
      expect(err).toMatchObject({ status: 400, scimType: 'invalidPath' });
    },
  );

  it('accepts attributes of an extension the user declares', () => {
    const ext = 'urn:example:ext:2.0:User';
    const user = { ...oktaUser(), schemas: [CORE_USER_URN, ext], [ext]: { badge: '1' } };
    const result = patch(
      user,
      { op: 'replace', path: `${ext}:badge`, value: '2' },
      { op: 'add', value: { [ext]: { floor: 3 } } },
    );
    expect(result[ext]).toEqual({ badge: '2', floor: 3 });
  });

  it('rejects a filter on a single-valued attribute with invalidPath', () => {
    const err = scimErrorFrom(() =>
      patch(oktaUser(), { op: 'replace', path: 'name[type eq "x"]', value: {} }),
    );
    expect(err).toMatchObject({ status: 400, scimType: 'invalidPath' });
  });

  it('fails the whole patch when a later op is bad', () => {
    const user = oktaUser();
    const before = structuredClone(user);
    expect(() =>
      patch(user, { op: 'replace', path: 'active', value: false }, { op: 'remove', path: 'id' }),
    ).toThrow(ScimError);
    expect(user).toEqual(before);
  });
});

describe('parsePatchPath', () => {
  it('parses attrPath, sub-attributes, value paths and schema prefixes', () => {
    expect(parsePatchPath('active')).toEqual({ attr: 'active' });
    expect(parsePatchPath('name.givenName')).toEqual({ attr: 'name', subAttr: 'givenName' });
    expect(parsePatchPath(`${CORE_USER_URN}:userName`)).toEqual({ attr: 'userName' });
    expect(parsePatchPath(`${ENTERPRISE_USER_URN}:manager.value`)).toEqual({
      schema: ENTERPRISE_USER_URN,
      attr: 'manager',
      subAttr: 'value',
    });
    expect(parsePatchPath('emails[type eq "work"].value')).toEqual({
      attr: 'emails',
      subAttr: 'value',
      valueFilter: { op: 'eq', attrPath: 'type', compValue: 'work' },
    });
  });

  it('keeps colons and brackets inside the filter out of the schema split', () => {
    expect(parsePatchPath('members[value eq "a:b]c"]')).toEqual({
      attr: 'members',
      valueFilter: { op: 'eq', attrPath: 'value', compValue: 'a:b]c' },
    });
  });
});

describe('matchesValueFilter', () => {
  const filterOf = (path: string) => parsePatchPath(path).valueFilter!;

  it('compares strings case-insensitively and booleans against "True"/"False"', () => {
    expect(matchesValueFilter({ type: 'Work' }, filterOf('emails[type eq "work"]'))).toBe(true);
    expect(matchesValueFilter({ Primary: true }, filterOf('roles[primary eq "True"]'))).toBe(true);
    expect(matchesValueFilter({ primary: 'false' }, filterOf('roles[primary eq true]'))).toBe(false);
    expect(
      matchesValueFilter(
        { type: 'work', value: 'A@x' },
        filterOf('emails[type eq "work" and value sw "a@"]'),
      ),
    ).toBe(true);
  });
});

describe("applyUserPatch: the Roster extension's mfaRequired", () => {
  const ROSTER = 'urn:roster:params:scim:schemas:extension:2.0:User';

  it.each([
    ['Okta, with a path', { op: 'replace', path: `${ROSTER}:mfaRequired`, value: true }],
    ['Entra, "True" and a capitalised op', { op: 'Add', path: `${ROSTER}:mfaRequired`, value: 'True' }],
    ['pathless, the extension as an object', { op: 'replace', value: { [ROSTER]: { mfaRequired: true } } }],
    ['pathless, a dotted key', { op: 'replace', value: { [`${ROSTER}:mfaRequired`]: 'true' } }],
  ])('%s sets it', (_shape, operation) => {
    expect(patch(oktaUser(), operation)[ROSTER]).toEqual({ mfaRequired: true });
  });

  it('Remove takes it away', () => {
    const user = { ...oktaUser(), [ROSTER]: { mfaRequired: true } };
    expect(patch(user, { op: 'Remove', path: `${ROSTER}:mfaRequired` })).not.toHaveProperty(ROSTER);
  });

  it.each(['role', 'roleKey', 'roleSource', 'roleGroup', 'mfaEnforced', 'mfaRequiredBy'])(
    'refuses read-only %s with mutability',
    (attr) => {
      const err = scimErrorFrom(() =>
        patch(oktaUser(), { op: 'replace', path: `${ROSTER}:${attr}`, value: 'x' }),
      );
      expect(err).toMatchObject({ status: 400, scimType: 'mutability' });
    },
  );

  it('refuses an attribute the extension does not have', () => {
    const err = scimErrorFrom(() =>
      patch(oktaUser(), { op: 'replace', path: `${ROSTER}:favourite`, value: 1 }),
    );
    expect(err).toMatchObject({ status: 400, scimType: 'invalidPath' });
  });
});
