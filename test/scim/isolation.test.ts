import {
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type ScimClient,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import {
  createGroup,
  createUser,
  ENTERPRISE_URN,
  expectList,
  expectScimError,
  getGroup,
  getUser,
  GROUP_URN,
  SEARCH_URN,
  unique,
  uniqueEmail,
  type Json,
} from './scim-helpers';

let roster: TestRoster;
let accountB: TestAccount;
/** Account A's SCIM client: every request in this file is A trying to reach B. */
let a: ScimClient;
/** Account B's own client, used only to check that B's data did not change. */
let b: ScimClient;

let aMember: Json;
let aGroup: Json;
let bManager: Json;
let bUser: Json;
let bGroup: Json;

beforeAll(async () => {
  roster = await startRoster();
  const accountA = await createAccount(roster, 'Account A');
  accountB = await createAccount(roster, 'Account B');
  a = scimClient(roster, accountA.token);
  b = scimClient(roster, accountB.token);

  aMember = await createUser(a, aUser(uniqueEmail('a.member')));
  aGroup = await createGroup(a, unique('A Group'), [aMember.id]);

  bManager = await createUser(b, aUser(uniqueEmail('b.manager')));
  bUser = await createUser(
    b,
    aUser(uniqueEmail('b.user'), {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_URN],
      externalId: unique('b-ext'),
      displayName: 'B User',
      [ENTERPRISE_URN]: { employeeNumber: 'B-1', manager: { value: bManager.id } },
    }),
  );
  bGroup = await createGroup(b, unique('B Group'), [bUser.id, bManager.id]);
  // Snapshots as B sees them, after every write above.
  bUser = await getUser(b, bUser.id);
  bManager = await getUser(b, bManager.id);
  bGroup = await getGroup(b, bGroup.id);
});
afterAll(() => roster.stop());

/** B's resources exactly as they were before A's request. */
async function expectBUnchanged(): Promise<void> {
  expect(await getUser(b, bUser.id)).toEqual(bUser);
  expect(await getUser(b, bManager.id)).toEqual(bManager);
  expect(await getGroup(b, bGroup.id)).toEqual(bGroup);
}

type Send = (client: ScimClient) => ReturnType<ScimClient['get']>;

describe("A's token naming one of B's ids", () => {
  const requests: [string, Send][] = [
    ['GET /Users/{B user}', (c) => c.get(`/Users/${bUser.id}`)],
    ['GET /Users/{B user}?attributes=userName', (c) => c.get(`/Users/${bUser.id}?attributes=userName`)],
    ['PUT /Users/{B user}', (c) => c.put(`/Users/${bUser.id}`, { ...bUser, displayName: 'Hijacked' })],
    [
      'PATCH /Users/{B user} (Okta deactivate)',
      (c) => c.patch(`/Users/${bUser.id}`, patchOp({ op: 'replace', value: { active: false } })),
    ],
    [
      'PATCH /Users/{B user} (Entra disable)',
      (c) => c.patch(`/Users/${bUser.id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' })),
    ],
    ['DELETE /Users/{B user}', (c) => c.delete(`/Users/${bUser.id}`)],
    ['DELETE /Users/{B manager}', (c) => c.delete(`/Users/${bManager.id}`)],
    ['GET /Users/{B owner}', (c) => c.get(`/Users/${accountB.ownerId}`)],
    ['DELETE /Users/{B owner} (404, not the Owner rule)', (c) => c.delete(`/Users/${accountB.ownerId}`)],
    ['GET /Groups/{B group}', (c) => c.get(`/Groups/${bGroup.id}`)],
    [
      'GET /Groups/{B group}?excludedAttributes=members',
      (c) => c.get(`/Groups/${bGroup.id}?excludedAttributes=members`),
    ],
    [
      'PUT /Groups/{B group}',
      (c) =>
        c.put(`/Groups/${bGroup.id}`, {
          schemas: [GROUP_URN],
          displayName: 'Hijacked',
          members: [{ value: aMember.id }],
        }),
    ],
    [
      'PATCH /Groups/{B group} (rename)',
      (c) =>
        c.patch(`/Groups/${bGroup.id}`, patchOp({ op: 'Replace', path: 'displayName', value: 'Hijacked' })),
    ],
    [
      'PATCH /Groups/{B group} (add A member)',
      (c) =>
        c.patch(
          `/Groups/${bGroup.id}`,
          patchOp({ op: 'Add', path: 'members', value: [{ value: aMember.id }] }),
        ),
    ],
    [
      'PATCH /Groups/{B group} (remove B member)',
      (c) =>
        c.patch(
          `/Groups/${bGroup.id}`,
          patchOp({ op: 'Remove', path: 'members', value: [{ value: bUser.id }] }),
        ),
    ],
    [
      'PATCH /Groups/{B group} (replace members)',
      (c) => c.patch(`/Groups/${bGroup.id}`, patchOp({ op: 'replace', path: 'members', value: [] })),
    ],
    ['DELETE /Groups/{B group}', (c) => c.delete(`/Groups/${bGroup.id}`)],
  ];

  it.each(requests)('%s answers 404 and changes nothing in B', async (_name, send) => {
    const res = await send(a);
    const body = expectScimError(res, 404);
    expect(JSON.stringify(body)).not.toContain(bUser.userName);
    expect(JSON.stringify(body)).not.toContain(bGroup.displayName);
    await expectBUnchanged();
  });

  it.each(requests)('%s with a matching If-Match still answers 404', async (_name, send) => {
    const res = await send(a).set('If-Match', bUser.meta.version);
    expectScimError(res, 404);
    await expectBUnchanged();
  });
});

describe("A's lists and filters never show B's resources", () => {
  const userFilters: [string, () => string][] = [
    ['id eq', () => `id eq "${bUser.id}"`],
    ['userName eq', () => `userName eq "${bUser.userName}"`],
    ['userName eq (other case)', () => `userName eq "${bUser.userName.toUpperCase()}"`],
    ['externalId eq', () => `externalId eq "${bUser.externalId}"`],
    ['emails[type eq "work"].value eq', () => `emails[type eq "work"].value eq "${bUser.emails[0].value}"`],
    ['manager eq', () => `manager eq "${bManager.id}"`],
    ['groups.value eq', () => `groups.value eq "${bGroup.id}"`],
    ['displayName eq', () => 'displayName eq "B User"'],
    ['employeeNumber eq', () => `${ENTERPRISE_URN}:employeeNumber eq "B-1"`],
    ['id eq B or userName pr', () => `id eq "${bUser.id}" or userName pr`],
  ];

  it.each(userFilters)('GET /Users?filter=%s', async (_name, filter) => {
    const body = expectList(await a.get(`/Users?filter=${encodeURIComponent(filter())}`));
    const ids = (body.Resources as Json[]).map((u) => u.id);
    expect(ids).not.toContain(bUser.id);
    expect(ids).not.toContain(bManager.id);
    expect(JSON.stringify(body)).not.toContain(bUser.userName);
  });

  it.each(userFilters)('POST /Users/.search with %s', async (_name, filter) => {
    const body = expectList(await a.post('/Users/.search', { schemas: [SEARCH_URN], filter: filter() }));
    expect((body.Resources as Json[]).map((u) => u.id)).not.toContain(bUser.id);
  });

  const groupFilters: [string, () => string][] = [
    ['id eq', () => `id eq "${bGroup.id}"`],
    ['displayName eq', () => `displayName eq "${bGroup.displayName}"`],
    ['members[value eq]', () => `members[value eq "${bUser.id}"]`],
    ['members.value eq', () => `members.value eq "${bUser.id}"`],
  ];

  it.each(groupFilters)('GET /Groups?filter=%s', async (_name, filter) => {
    const body = expectList(await a.get(`/Groups?filter=${encodeURIComponent(filter())}`));
    expect(body.totalResults).toBe(0);
    expect(body.Resources).toEqual([]);
  });

  it("an unfiltered list shows only A's own users and groups", async () => {
    const users = expectList(await a.get('/Users?count=1000'));
    const userIds = (users.Resources as Json[]).map((u) => u.id);
    expect(userIds).toContain(aMember.id);
    expect(userIds).not.toContain(bUser.id);
    expect(userIds).not.toContain(bManager.id);
    expect(users.totalResults).toBe(users.Resources.length);

    const groups = expectList(await a.get('/Groups'));
    expect((groups.Resources as Json[]).map((g) => g.id)).toEqual([aGroup.id]);
  });

  it("A's and B's full lists share no resource, and totalResults counts only A's", async () => {
    const filter = encodeURIComponent('userName pr');
    const listA = expectList(await a.get(`/Users?filter=${filter}&count=1000`));
    const listB = expectList(await b.get(`/Users?filter=${filter}&count=1000`));
    const idsA = (listA.Resources as Json[]).map((u) => u.id as string);
    const idsB = new Set((listB.Resources as Json[]).map((u) => u.id as string));
    expect(listA.totalResults).toBe(idsA.length);
    expect(idsA.filter((id) => idsB.has(id))).toEqual([]);

    const groupsA = expectList(await a.get('/Groups?count=0')).totalResults;
    expect(groupsA).toBe(expectList(await a.get('/Groups')).Resources.length);
  });
});

describe("B's users cannot be tied to A's resources", () => {
  it.each<[string, () => ReturnType<ScimClient['get']>]>([
    [
      'PATCH add',
      () =>
        a.patch(
          `/Groups/${aGroup.id}`,
          patchOp({ op: 'Add', path: 'members', value: [{ value: bUser.id }] }),
        ),
    ],
    [
      'PATCH replace',
      () =>
        a.patch(
          `/Groups/${aGroup.id}`,
          patchOp({ op: 'replace', path: 'members', value: [{ value: bUser.id }] }),
        ),
    ],
    [
      'PUT',
      () =>
        a.put(`/Groups/${aGroup.id}`, {
          schemas: [GROUP_URN],
          displayName: aGroup.displayName,
          members: [{ value: bUser.id }],
        }),
    ],
  ])("adding B's user to A's group by %s answers 400 and changes nothing", async (_how, send) => {
    const before = await getGroup(a, aGroup.id);
    expectScimError(await send(), 400, 'invalidValue');
    expect(await getGroup(a, aGroup.id)).toEqual(before);
    await expectBUnchanged();
  });

  it("creating an A group with B's user as member answers 400 and creates nothing", async () => {
    const displayName = unique('A Sneaky');
    const res = await a.post('/Groups', {
      schemas: [GROUP_URN],
      displayName,
      members: [{ value: bUser.id }],
    });
    expectScimError(res, 400, 'invalidValue');
    const found = expectList(
      await a.get(`/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`),
    );
    expect(found.totalResults).toBe(0);
    await expectBUnchanged();
  });

  it("making B's user the manager of an A user answers 400 and changes nothing", async () => {
    const before = await getUser(a, aMember.id);
    const res = await a.patch(
      `/Users/${aMember.id}`,
      patchOp({ op: 'Add', path: 'manager', value: [{ value: bManager.id }] }),
    );
    expectScimError(res, 400, 'invalidValue');
    expect(await getUser(a, aMember.id)).toEqual(before);
  });

  it("removing B's user from A's group leaves B's group alone", async () => {
    const res = await a.patch(
      `/Groups/${aGroup.id}`,
      patchOp({ op: 'remove', path: `members[value eq "${bUser.id}"]` }),
    );
    expect(res.status).toBe(204);
    expect((await getGroup(a, aGroup.id)).members.map((m: Json) => m.value)).toEqual([aMember.id]);
    await expectBUnchanged();
  });
});

describe('names and externalIds are per account', () => {
  it("A can create a user with B's userName and a group with B's displayName", async () => {
    const bOther = await createUser(b, aUser(uniqueEmail('b.other')));
    const bOtherGroup = await createGroup(b, unique('B Other Group'));

    const user = await a.post('/Users', aUser(bOther.userName));
    expect(user.status).toBe(201);
    expect(user.body.id).not.toBe(bOther.id);
    const group = await a.post('/Groups', { schemas: [GROUP_URN], displayName: bOtherGroup.displayName });
    expect(group.status).toBe(201);
    expect(group.body.id).not.toBe(bOtherGroup.id);

    expect(await getUser(b, bOther.id)).toEqual(bOther);
    expect(await getGroup(b, bOtherGroup.id)).toEqual(bOtherGroup);
  });

  it("an Okta re-POST in A with the externalId of B's deactivated user creates A's own user", async () => {
    const externalId = unique('shared-ext');
    const bInactive = await createUser(b, aUser(uniqueEmail('b.inactive'), { externalId, active: false }));

    const res = await a.post('/Users', aUser(uniqueEmail('a.reprovision'), { externalId }));

    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(bInactive.id);
    expect(await getUser(b, bInactive.id)).toEqual(bInactive);
  });
});
