import { planGroupPatch, type GroupPatchPlan } from '../../src/adapters/scim/group-patch';
import { ScimError } from '../../src/adapters/scim/scim-error';

const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A PatchOp request body, as the IdPs send it; the tests plan its Operations. */
function plan(...operations: unknown[]): GroupPatchPlan {
  const body = { schemas: [PATCH_OP_URN], Operations: operations };
  return planGroupPatch(body.Operations);
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

const noMemberChanges = { addMemberIds: [], removeMemberIds: [] };

describe('planGroupPatch: Okta (#29, #30)', () => {
  it('renames from the pathless replace, ignoring the echoed id', () => {
    expect(plan({ op: 'replace', value: { id: 'g-1', displayName: 'Test SCIMv2' } })).toEqual({
      ...noMemberChanges,
      displayName: 'Test SCIMv2',
    });
  });

  it('plans the rename plus remove and add that Okta sends in one PATCH', () => {
    expect(
      plan(
        { op: 'replace', value: { id: 'g-1', displayName: 'Test SCIMv2' } },
        { op: 'remove', path: 'members[value eq "u-1"]' },
        { op: 'add', path: 'members', value: [{ value: 'u-2', display: 'test.user@okta.local' }] },
      ),
    ).toEqual({ displayName: 'Test SCIMv2', addMemberIds: ['u-2'], removeMemberIds: ['u-1'] });
  });

  it('plans a full replace of the members', () => {
    expect(
      plan({
        op: 'replace',
        path: 'members',
        value: [
          { value: 'u-1', display: 'a' },
          { value: 'u-2', display: 'b' },
        ],
      }),
    ).toEqual({ ...noMemberChanges, replaceMembersWith: ['u-1', 'u-2'] });
  });
});

describe('planGroupPatch: Entra (#33, #34)', () => {
  it('renames with a path', () => {
    expect(plan({ op: 'Replace', path: 'displayName', value: 'Sales' })).toEqual({
      ...noMemberChanges,
      displayName: 'Sales',
    });
  });

  it('adds members sent with a null $ref', () => {
    expect(plan({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u-1' }] })).toEqual({
      addMemberIds: ['u-1'],
      removeMemberIds: [],
    });
  });

  it('removes ONLY the listed members on the default Remove with a value', () => {
    const result = plan({
      op: 'Remove',
      path: 'members',
      value: [
        { $ref: null, value: 'u-1' },
        { $ref: null, value: 'u-2' },
      ],
    });
    expect(result).toEqual({ addMemberIds: [], removeMemberIds: ['u-1', 'u-2'] });
    expect(result.replaceMembersWith).toBeUndefined();
  });

  it('removes a member with the flagged filter path', () => {
    expect(plan({ op: 'remove', path: 'members[value eq "u-1"]' })).toEqual({
      addMemberIds: [],
      removeMemberIds: ['u-1'],
    });
  });

  it('replaces externalId, and clears it on remove', () => {
    expect(plan({ op: 'Replace', path: 'externalId', value: '8aa1a0c0' }).externalId).toBe('8aa1a0c0');
    expect(plan({ op: 'Remove', path: 'externalId' }).externalId).toBeNull();
  });
});

describe('planGroupPatch: member semantics', () => {
  it('removes all members on a remove of members with no value', () => {
    expect(plan({ op: 'remove', path: 'members' })).toEqual({ ...noMemberChanges, replaceMembersWith: [] });
  });

  it('accepts members in a pathless add', () => {
    expect(plan({ op: 'add', value: { members: [{ value: 'u-1' }, { value: 'u-2' }] } })).toEqual({
      addMemberIds: ['u-1', 'u-2'],
      removeMemberIds: [],
    });
  });

  it('folds later adds and removes into an earlier full replace', () => {
    expect(
      plan(
        { op: 'replace', path: 'members', value: [{ value: 'u-1' }, { value: 'u-2' }] },
        { op: 'add', path: 'members', value: [{ value: 'u-3' }] },
        { op: 'remove', path: 'members[value eq "u-1"]' },
      ),
    ).toEqual({ ...noMemberChanges, replaceMembersWith: ['u-2', 'u-3'] });
  });

  it('lets a replace discard the adds and removes before it', () => {
    expect(
      plan(
        { op: 'add', path: 'members', value: [{ value: 'u-9' }] },
        { op: 'remove', path: 'members[value eq "u-8"]' },
        { op: 'replace', path: 'members', value: [{ value: 'u-1' }] },
      ),
    ).toEqual({ ...noMemberChanges, replaceMembersWith: ['u-1'] });
  });

  it('keeps the last word when the same id is added and removed', () => {
    const addThenRemove = plan(
      { op: 'add', path: 'members', value: [{ value: 'u-1' }] },
      { op: 'remove', path: 'members[value eq "u-1"]' },
    );
    // The add nets out; the id still goes in case it was a member before this request.
    expect(addThenRemove).toEqual({ addMemberIds: [], removeMemberIds: ['u-1'] });
    const removeThenAdd = plan(
      { op: 'remove', path: 'members[value eq "u-1"]' },
      { op: 'add', path: 'members', value: [{ value: 'u-1' }] },
    );
    expect(removeThenAdd).toEqual({ addMemberIds: ['u-1'], removeMemberIds: [] });
  });

  it('deduplicates ids and removes several with an or filter', () => {
    expect(
      plan({ op: 'add', path: 'members', value: [{ value: 'u-1' }, { value: 'u-1' }] }).addMemberIds,
    ).toEqual(['u-1']);
    expect(plan({ op: 'remove', path: 'members[value eq "u-1" or value eq "u-2"]' }).removeMemberIds).toEqual(
      ['u-1', 'u-2'],
    );
  });

  it('matches op names and paths case-insensitively', () => {
    expect(plan({ op: 'ADD', path: 'Members', value: [{ Value: 'u-1' }] }).addMemberIds).toEqual(['u-1']);
  });
});

describe('planGroupPatch: invalid operations', () => {
  it.each([[{ value: '' }], [{ value: 7 }], [{ display: 'no id' }], ['u-1']])(
    'rejects the member %j with invalidValue',
    (member) => {
      const err = scimErrorFrom(() => plan({ op: 'add', path: 'members', value: [member] }));
      expect(err).toMatchObject({ status: 400, scimType: 'invalidValue' });
    },
  );

  it.each(['description', 'members.display', 'members[display eq "x"]', 'urn:example:ext:Group:x'])(
    'rejects the unsupported path %s with invalidPath',
    (path) => {
      const err = scimErrorFrom(() => plan({ op: 'remove', path }));
      expect(err).toMatchObject({ status: 400, scimType: 'invalidPath' });
    },
  );

  it('rejects a filtered add with invalidPath', () => {
    const err = scimErrorFrom(() =>
      plan({ op: 'add', path: 'members[value eq "u-1"]', value: [{ value: 'u-1' }] }),
    );
    expect(err).toMatchObject({ status: 400, scimType: 'invalidPath' });
  });

  it.each(['id', 'meta'])('rejects a patch to %s with mutability', (path) => {
    const err = scimErrorFrom(() => plan({ op: 'replace', path, value: 'x' }));
    expect(err).toMatchObject({ status: 400, scimType: 'mutability' });
  });

  it('rejects a pathless remove with noTarget', () => {
    expect(scimErrorFrom(() => plan({ op: 'remove' }))).toMatchObject({ status: 400, scimType: 'noTarget' });
  });

  it('rejects an unknown op with invalidSyntax and a missing value with invalidValue', () => {
    expect(scimErrorFrom(() => plan({ op: 'merge', path: 'members', value: [] }))).toMatchObject({
      scimType: 'invalidSyntax',
    });
    expect(scimErrorFrom(() => plan({ op: 'add', path: 'members' }))).toMatchObject({
      scimType: 'invalidValue',
    });
  });

  it('rejects an empty or non-string displayName with invalidValue', () => {
    for (const value of ['', '  ', 42]) {
      const err = scimErrorFrom(() => plan({ op: 'replace', path: 'displayName', value }));
      expect(err).toMatchObject({ status: 400, scimType: 'invalidValue' });
    }
  });
});
