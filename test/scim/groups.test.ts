import {
  aUser,
  createAccount,
  patchOp,
  scimClient,
  SCIM_BASE,
  startRoster,
  type ScimClient,
  type TestRoster,
} from '../support/roster';
import {
  createGroup,
  createUser,
  expectList,
  expectScimError,
  getGroup,
  getUser,
  GROUP_URN,
  listGroups,
  memberIdsOf,
  sorted,
  unique,
  uniqueEmail,
  type Json,
} from './scim-helpers';

const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

let roster: TestRoster;
let scim: ScimClient;
let other: ScimClient;
let users: Json[];
let foreignUser: Json;

beforeAll(async () => {
  roster = await startRoster();
  scim = scimClient(roster, (await createAccount(roster)).token);
  other = scimClient(roster, (await createAccount(roster)).token);
  users = [];
  for (let n = 0; n < 4; n++) users.push(await createUser(scim, aUser(uniqueEmail(`member${n}`))));
  foreignUser = await createUser(other, aUser(uniqueEmail('foreign')));
});
afterAll(() => roster.stop());

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const ids = (...n: number[]) => n.map((i) => users[i].id as string);

describe('POST /Groups', () => {
  it('creates an empty group as Okta pushes it (201)', async () => {
    const displayName = unique('Test SCIMv2');
    const res = await scim.post('/Groups', { schemas: [GROUP_URN], displayName, members: [] });

    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: [GROUP_URN],
      id: expect.any(String),
      displayName,
      members: [],
      meta: {
        resourceType: 'Group',
        location: `${SCIM_BASE}/Groups/${res.body.id}`,
        version: expect.any(String),
      },
    });
    expect(res.headers.location).toBe(res.body.meta.location);
    expect(res.headers.etag).toBe(res.body.meta.version);
    expect(await getGroup(scim, res.body.id)).toMatchObject({ displayName, members: [] });
  });

  it('creates a group as Entra does, with externalId and no members key', async () => {
    const externalId = unique('8aa1a0c0');
    const displayName = unique('Entra Group');
    const res = await scim.post('/Groups', {
      schemas: [GROUP_URN, ADSCIM_GROUP],
      externalId,
      displayName,
      meta: { resourceType: 'Group' },
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ displayName, externalId });
    expect((await listGroups(scim, `externalId eq "${externalId}"`)).map((g) => g.id)).toEqual([res.body.id]);
  });

  it('creates a group with members', async () => {
    const res = await scim.post('/Groups', {
      schemas: [GROUP_URN],
      displayName: unique('With Members'),
      members: [{ value: users[0].id, display: users[0].userName }, { value: users[1].id }],
    });

    expect(res.status).toBe(201);
    expect(sorted(res.body.members.map((m: Json) => m.value))).toEqual(sorted(ids(0, 1)));
    expect(res.body.members).toContainEqual({
      value: users[0].id,
      display: users[0].userName,
      type: 'User',
      $ref: `${SCIM_BASE}/Users/${users[0].id}`,
    });
    expect(await memberIdsOf(scim, res.body.id)).toEqual(sorted(ids(0, 1)));
  });

  it('refuses a displayName already used in the account, whatever its case (409 uniqueness)', async () => {
    const displayName = unique('Sales');
    await createGroup(scim, displayName);

    expectScimError(await scim.post('/Groups', { schemas: [GROUP_URN], displayName }), 409, 'uniqueness');
    const upper = await scim.post('/Groups', {
      schemas: [GROUP_URN],
      displayName: displayName.toUpperCase(),
    });
    expectScimError(upper, 409, 'uniqueness');
    expect(await listGroups(scim, `displayName eq "${displayName}"`)).toHaveLength(1);
  });

  it('allows the same displayName in another account', async () => {
    const displayName = unique('Shared Name');
    await createGroup(scim, displayName);
    const res = await other.post('/Groups', { schemas: [GROUP_URN], displayName });
    expect(res.status).toBe(201);
  });

  it.each([
    ['a user of another account', () => foreignUser.id as string],
    ['an unknown id', () => UNKNOWN_ID],
    ['an id that is not a uuid', () => 'not-a-user'],
  ])('refuses %s as member with 400 invalidValue and creates nothing', async (_what, memberId) => {
    const displayName = unique('Bad Members');
    const res = await scim.post('/Groups', {
      schemas: [GROUP_URN],
      displayName,
      members: [{ value: users[0].id }, { value: memberId() }],
    });

    expectScimError(res, 400, 'invalidValue');
    expect(await listGroups(scim, `displayName eq "${displayName}"`)).toEqual([]);
    expect((await getUser(scim, users[0].id)).groups.map((g: Json) => g.display)).not.toContain(displayName);
  });

  it('refuses a group without displayName with 400', async () => {
    expectScimError(await scim.post('/Groups', { schemas: [GROUP_URN], members: [] }), 400, 'invalidValue');
  });
});

describe('GET /Groups', () => {
  let group: Json;

  beforeAll(async () => {
    group = await createGroup(scim, unique('Readers'), ids(0, 2));
  });

  it('returns a group by id with its members', async () => {
    const res = await scim.get(`/Groups/${group.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(group.meta.version);
    expect(res.body).toMatchObject({ id: group.id, displayName: group.displayName });
    expect(sorted(res.body.members.map((m: Json) => m.value))).toEqual(sorted(ids(0, 2)));
  });

  it('leaves the members key out with excludedAttributes=members', async () => {
    const res = await scim.get(`/Groups/${group.id}?excludedAttributes=members`);
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('members');
    expect(res.body).toMatchObject({ id: group.id, displayName: group.displayName });
  });

  it('finds by displayName eq, case-insensitively, without members when excluded (Entra)', async () => {
    const filter = encodeURIComponent(`displayName eq "${group.displayName.toUpperCase()}"`);
    const body = expectList(await scim.get(`/Groups?excludedAttributes=members&filter=${filter}`));
    expect(body.totalResults).toBe(1);
    expect(body.Resources[0]).toMatchObject({ id: group.id, displayName: group.displayName });
    expect(body.Resources[0]).not.toHaveProperty('members');
  });

  it.each([
    (id: string) => `members[value eq "${id}"]`,
    (id: string) => `members.value eq "${id}"`,
    (id: string) => `members eq "${id}"`,
  ])('finds the groups of a member with %p', async (filterOf) => {
    const found = await listGroups(scim, filterOf(users[2].id));
    expect(found.map((g) => g.id)).toContain(group.id);
    expect(found.every((g) => g.members.some((m: Json) => m.value === users[2].id))).toBe(true);
    expect((await listGroups(scim, filterOf(users[3].id))).map((g) => g.id)).not.toContain(group.id);
  });

  it('refuses a filter on an unsupported attribute with 400 invalidFilter', async () => {
    const res = await scim.get(`/Groups?filter=${encodeURIComponent('description eq "x"')}`);
    expect(expectScimError(res, 400, 'invalidFilter').detail).toContain('description');
  });

  it('answers an unknown id with 404', async () => {
    expectScimError(await scim.get(`/Groups/${UNKNOWN_ID}`), 404);
  });
});

describe('PATCH /Groups/{id}', () => {
  it('renames and changes members in one Okta PATCH (#29, #30)', async () => {
    const group = await createGroup(scim, unique('Okta Push'), ids(0, 1));
    const newName = unique('Okta Renamed');

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp(
        { op: 'replace', value: { id: group.id, displayName: newName } },
        { op: 'remove', path: `members[value eq "${users[0].id}"]` },
        { op: 'add', path: 'members', value: [{ value: users[2].id, display: users[2].userName }] },
      ),
    );

    expect([200, 204]).toContain(res.status);
    const after = await getGroup(scim, group.id);
    expect(after.displayName).toBe(newName);
    expect(await memberIdsOf(scim, group.id)).toEqual(sorted(ids(1, 2)));
  });

  it('renames with Entra Replace displayName (#33)', async () => {
    const group = await createGroup(scim, unique('Entra Rename'), ids(0));
    const newName = unique('Entra Renamed');

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Replace', path: 'displayName', value: newName }),
    );

    expect(res.status).toBe(204);
    expect(await getGroup(scim, group.id)).toMatchObject({ displayName: newName });
    expect(await memberIdsOf(scim, group.id)).toEqual(ids(0));
  });

  it('adds members with Entra Add and $ref null (#33)', async () => {
    const group = await createGroup(scim, unique('Entra Add'), ids(0));

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: users[1].id }] }),
    );

    expect(res.status).toBe(204);
    expect(await memberIdsOf(scim, group.id)).toEqual(sorted(ids(0, 1)));
  });

  it('adding a member twice keeps one membership', async () => {
    const group = await createGroup(scim, unique('Idempotent'), ids(0));
    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Add', path: 'members', value: [{ value: users[0].id }, { value: users[0].id }] }),
    );
    expect(res.status).toBe(204);
    expect(await memberIdsOf(scim, group.id)).toEqual(ids(0));
  });

  it('removes only the listed members with Entra Remove and a value list (#34)', async () => {
    const group = await createGroup(scim, unique('Entra Remove'), ids(0, 1, 2));

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: users[1].id }] }),
    );

    expect(res.status).toBe(204);
    expect(await memberIdsOf(scim, group.id)).toEqual(sorted(ids(0, 2)));
  });

  it('removes a member with members[value eq "<id>"] and keeps the others', async () => {
    const group = await createGroup(scim, unique('Filter Remove'), ids(0, 1, 2));

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'remove', path: `members[value eq "${users[2].id}"]` }),
    );

    expect(res.status).toBe(204);
    expect(await memberIdsOf(scim, group.id)).toEqual(sorted(ids(0, 1)));
  });

  it('replaces all members with replace members', async () => {
    const group = await createGroup(scim, unique('Replace'), ids(0, 1));

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'replace', path: 'members', value: [{ value: users[2].id }, { value: users[3].id }] }),
    );

    expect(res.status).toBe(204);
    expect(await memberIdsOf(scim, group.id)).toEqual(sorted(ids(2, 3)));
  });

  it('applies many membership changes atomically: one bad id refuses the whole PATCH', async () => {
    const group = await createGroup(scim, unique('Atomic'), ids(0, 1));
    const before = await getGroup(scim, group.id);

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp(
        { op: 'Replace', path: 'displayName', value: unique('Should Not Stick') },
        { op: 'Remove', path: 'members', value: [{ value: users[0].id }] },
        { op: 'Add', path: 'members', value: [{ value: users[2].id }, { value: foreignUser.id }] },
      ),
    );

    expectScimError(res, 400, 'invalidValue');
    expect(await getGroup(scim, group.id)).toEqual(before);
  });

  it.each([
    ['a user of another account', () => foreignUser.id as string],
    ['an unknown id', () => UNKNOWN_ID],
  ])('refuses to add %s with 400 invalidValue and changes nothing', async (_what, memberId) => {
    const group = await createGroup(scim, unique('Guarded'), ids(0));
    const before = await getGroup(scim, group.id);

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Add', path: 'members', value: [{ value: memberId() }] }),
    );

    expectScimError(res, 400, 'invalidValue');
    expect(await getGroup(scim, group.id)).toEqual(before);
  });

  it('refuses a pathless remove with 400 noTarget and changes nothing', async () => {
    const group = await createGroup(scim, unique('No Target'), ids(0, 1));
    const before = await getGroup(scim, group.id);

    const res = await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'Remove' }));

    expectScimError(res, 400, 'noTarget');
    expect(await getGroup(scim, group.id)).toEqual(before);
  });

  it('refuses a rename onto another group name with 409 and changes nothing', async () => {
    const taken = await createGroup(scim, unique('Taken'));
    const group = await createGroup(scim, unique('Renamer'), ids(0));
    const before = await getGroup(scim, group.id);

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp(
        { op: 'Replace', path: 'displayName', value: taken.displayName.toLowerCase() },
        { op: 'Add', path: 'members', value: [{ value: users[1].id }] },
      ),
    );

    expectScimError(res, 409, 'uniqueness');
    expect(await getGroup(scim, group.id)).toEqual(before);
  });
});

describe('PUT /Groups/{id}', () => {
  it('replaces the name and the whole member list (Okta AIW)', async () => {
    const group = await createGroup(scim, unique('AIW'), ids(0, 1));
    const newName = unique('AIW Renamed');

    const res = await scim.put(`/Groups/${group.id}`, {
      schemas: [GROUP_URN],
      id: group.id,
      displayName: newName,
      members: [
        { value: users[1].id, display: users[1].userName },
        { value: users[3].id, display: users[3].userName },
      ],
    });

    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe(newName);
    expect(sorted(res.body.members.map((m: Json) => m.value))).toEqual(sorted(ids(1, 3)));
    expect(res.headers.etag).toBe(res.body.meta.version);
    expect(await getGroup(scim, group.id)).toMatchObject({ displayName: newName });
    expect(await memberIdsOf(scim, group.id)).toEqual(sorted(ids(1, 3)));
  });

  it('empties the group when members is left out', async () => {
    const group = await createGroup(scim, unique('Emptied'), ids(0, 1));
    const res = await scim.put(`/Groups/${group.id}`, {
      schemas: [GROUP_URN],
      displayName: group.displayName,
    });
    expect(res.status).toBe(200);
    expect(await memberIdsOf(scim, group.id)).toEqual([]);
  });

  it('refuses a foreign member with 400 and changes nothing', async () => {
    const group = await createGroup(scim, unique('PUT Guard'), ids(0));
    const before = await getGroup(scim, group.id);

    const res = await scim.put(`/Groups/${group.id}`, {
      schemas: [GROUP_URN],
      displayName: unique('PUT Guard Renamed'),
      members: [{ value: users[1].id }, { value: foreignUser.id }],
    });

    expectScimError(res, 400, 'invalidValue');
    expect(await getGroup(scim, group.id)).toEqual(before);
  });
});

describe('DELETE /Groups/{id}', () => {
  it('answers 204, then 404, and leaves the members themselves in place', async () => {
    const group = await createGroup(scim, unique('Doomed'), ids(0));

    const res = await scim.delete(`/Groups/${group.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    expectScimError(await scim.get(`/Groups/${group.id}`), 404);
    expectScimError(await scim.delete(`/Groups/${group.id}`), 404);
    expect(await listGroups(scim, `id eq "${group.id}"`)).toEqual([]);
    expect((await getUser(scim, users[0].id)).groups.map((g: Json) => g.value)).not.toContain(group.id);
  });
});

describe("a user's groups attribute", () => {
  it('follows membership: add, rename, remove and delete', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('follower')));
    const group = await createGroup(scim, unique('Followed'));
    const groupsOf = async () => (await getUser(scim, user.id)).groups as Json[];

    expect(await groupsOf()).toEqual([]);

    await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Add', path: 'members', value: [{ value: user.id }] }),
    );
    expect(await groupsOf()).toEqual([
      {
        value: group.id,
        display: group.displayName,
        $ref: `${SCIM_BASE}/Groups/${group.id}`,
        type: 'direct',
      },
    ]);

    const renamed = unique('Followed Renamed');
    await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'Replace', path: 'displayName', value: renamed }));
    expect((await groupsOf()).map((g) => g.display)).toEqual([renamed]);

    await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Remove', path: 'members', value: [{ value: user.id }] }),
    );
    expect(await groupsOf()).toEqual([]);

    await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Add', path: 'members', value: [{ value: user.id }] }),
    );
    expect(await scim.delete(`/Groups/${group.id}`)).toHaveProperty('status', 204);
    expect(await groupsOf()).toEqual([]);
  });

  it('is read-only: groups sent on PUT or POST /Users do not change membership', async () => {
    const group = await createGroup(scim, unique('Not Via User'));
    const user = await createUser(scim, aUser(uniqueEmail('sneaky'), { groups: [{ value: group.id }] }));

    expect((await getUser(scim, user.id)).groups).toEqual([]);
    await scim.put(`/Users/${user.id}`, { ...user, groups: [{ value: group.id }] });
    expect(await memberIdsOf(scim, group.id)).toEqual([]);
  });
});
