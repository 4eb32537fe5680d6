import request from 'supertest';
import {
  aUser,
  createAccount,
  patchOp,
  scimClient,
  SCIM_BASE,
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
  getUser,
  listUsers,
  ROSTER_URN,
  SEARCH_URN,
  sorted,
  unique,
  uniqueEmail,
  USER_URN,
  type Json,
} from './scim-helpers';

let roster: TestRoster;
let account: TestAccount;
let scim: ScimClient;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  scim = scimClient(roster, account.token);
});
afterAll(() => roster.stop());

/** idp-interop.md #14, with a userName and externalId of its own. */
function oktaUser(userName: string, externalId: string): Json {
  return {
    schemas: [USER_URN],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId,
    groups: [],
    password: '1mz050nq',
    active: true,
  };
}

describe('POST /Users', () => {
  it('returns 201 with the full resource, its ETag and Location', async () => {
    const userName = uniqueEmail('okta.create');
    const res = await scim.post('/Users', oktaUser(userName, unique('00u')));

    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      // Every user carries Roster's read-only extension: the role Roster decided (none yet).
      schemas: [USER_URN, ROSTER_URN],
      [ROSTER_URN]: { role: 'none' },
      id: expect.any(String),
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      active: true,
      groups: [],
      meta: {
        resourceType: 'User',
        created: expect.any(String),
        lastModified: expect.any(String),
        version: expect.any(String),
      },
    });
    expect(res.body.meta.location).toBe(`${SCIM_BASE}/Users/${res.body.id}`);
    expect(res.headers.location).toBe(res.body.meta.location);
    expect(res.headers.etag).toBe(res.body.meta.version);
  });

  it('accepts a password and never echoes it, neither on create nor on GET', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('okta.pw'), unique('00u')));
    expect(JSON.stringify(created)).not.toContain('1mz050nq');
    expect(created).not.toHaveProperty('password');

    const fetched = await getUser(scim, created.id);
    expect(fetched).not.toHaveProperty('password');
    expect(JSON.stringify(fetched)).not.toContain('1mz050nq');
  });

  it('tolerates the nulls Entra sends and stores the rest', async () => {
    const userName = unique('Entra_User');
    const externalId = unique('0a21f0f2');
    const res = await scim.post('/Users', {
      schemas: [USER_URN, ENTERPRISE_URN],
      externalId,
      userName,
      active: true,
      addresses: null,
      nickName: null,
      emails: [{ primary: true, type: 'work', value: `${userName}@example.test`, display: null }],
      meta: { resourceType: 'User' },
      name: {
        formatted: 'givenName familyName',
        familyName: 'familyName',
        givenName: 'givenName',
        middleName: null,
      },
      roles: [],
      [ENTERPRISE_URN]: { manager: null, department: 'Sales', employeeNumber: null },
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userName,
      externalId,
      active: true,
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      emails: [{ primary: true, type: 'work', value: `${userName}@example.test` }],
      [ENTERPRISE_URN]: { department: 'Sales' },
    });
    expect(res.body).not.toHaveProperty('addresses');
    expect(res.body.name).not.toHaveProperty('middleName');
    expect(res.body[ENTERPRISE_URN]).not.toHaveProperty('manager');
    expect(await getUser(scim, res.body.id)).toMatchObject({
      externalId,
      [ENTERPRISE_URN]: { department: 'Sales' },
    });
  });

  it.each(['application/json', 'application/scim+json'])('accepts a body sent as %s', async (contentType) => {
    const userName = uniqueEmail('ctype');
    const res = await request(roster.app)
      .post('/scim/v2/Users')
      .set('Authorization', `Bearer ${account.token}`)
      .set('Content-Type', contentType)
      .send(JSON.stringify(aUser(userName)));

    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body.userName).toBe(userName);
    expect((await getUser(scim, res.body.id)).userName).toBe(userName);
  });

  it('refuses a duplicate userName with 409 uniqueness, whatever its case', async () => {
    const userName = uniqueEmail('dup');
    await createUser(scim, aUser(userName));

    const same = await scim.post('/Users', aUser(userName));
    expectScimError(same, 409, 'uniqueness');
    const shouting = await scim.post('/Users', aUser(userName.toUpperCase()));
    expectScimError(shouting, 409, 'uniqueness');

    expect(await listUsers(scim, `userName eq "${userName}"`)).toHaveLength(1);
  });

  it('refuses a user without userName with 400', async () => {
    const res = await scim.post('/Users', { schemas: [USER_URN], name: { givenName: 'No' } });
    expectScimError(res, 400, 'invalidValue');
  });
});

describe('GET /Users/{id}', () => {
  it('returns the user as created', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('get'), unique('00u')));
    const res = await scim.get(`/Users/${created.id}`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.headers.etag).toBe(created.meta.version);
    expect(res.body).toEqual(created);
  });

  it('returns only the requested attributes plus id and schemas', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('attrs'), unique('00u')));
    const res = await scim.get(`/Users/${created.id}?attributes=userName,name.givenName`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      schemas: [USER_URN],
      userName: created.userName,
      name: { givenName: 'Test' },
    });
    expect(res.body.name).not.toHaveProperty('familyName');
    for (const key of ['emails', 'displayName', 'locale', 'active', 'groups']) {
      expect(res.body).not.toHaveProperty(key);
    }
  });

  it('leaves out excludedAttributes and keeps the rest', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('excl'), unique('00u')));
    const res = await scim.get(`/Users/${created.id}?excludedAttributes=emails,name,groups`);

    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('emails');
    expect(res.body).not.toHaveProperty('name');
    expect(res.body).not.toHaveProperty('groups');
    expect(res.body).toMatchObject({ id: created.id, userName: created.userName, displayName: 'Test User' });
  });
});

describe('GET /Users (list)', () => {
  const prefix = unique('page');
  let ids: string[];

  beforeAll(async () => {
    ids = [];
    // Created out of alphabetical order, so that an order by creation would differ from one by name.
    for (const n of [4, 1, 6, 3, 7, 2, 5]) {
      const user = await createUser(
        scim,
        aUser(`${prefix}.${n}@example.test`, { displayName: `Page ${n}`, externalId: `${prefix}-${n}` }),
      );
      ids.push(user.id);
    }
  });

  const filter = () => encodeURIComponent(`userName sw "${prefix}."`);

  it('filters and reports totalResults, startIndex and itemsPerPage as integers', async () => {
    const body = expectList(await scim.get(`/Users?filter=${filter()}`));
    expect(body.totalResults).toBe(7);
    expect(body.startIndex).toBe(1);
    expect(body.itemsPerPage).toBe(7);
    expect(sorted(body.Resources.map((u: Json) => u.id))).toEqual(sorted(ids));
  });

  it('sorts by userName ascending and descending', async () => {
    const up = expectList(await scim.get(`/Users?filter=${filter()}&sortBy=userName&sortOrder=ascending`));
    expect(up.Resources.map((u: Json) => u.displayName)).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => `Page ${n}`),
    );

    const down = expectList(await scim.get(`/Users?filter=${filter()}&sortBy=userName&sortOrder=descending`));
    expect(down.Resources.map((u: Json) => u.displayName)).toEqual(
      [7, 6, 5, 4, 3, 2, 1].map((n) => `Page ${n}`),
    );
  });

  it('pages with startIndex and count', async () => {
    const body = expectList(await scim.get(`/Users?filter=${filter()}&sortBy=userName&startIndex=3&count=2`));
    expect(body).toMatchObject({ totalResults: 7, startIndex: 3, itemsPerPage: 2 });
    expect(body.Resources.map((u: Json) => u.displayName)).toEqual(['Page 3', 'Page 4']);
  });

  it('returns only totalResults for count=0', async () => {
    const body = expectList(await scim.get(`/Users?filter=${filter()}&count=0`));
    expect(body).toMatchObject({ totalResults: 7, itemsPerPage: 0, Resources: [] });
  });

  it('returns an empty page past the end', async () => {
    const body = expectList(await scim.get(`/Users?filter=${filter()}&startIndex=50&count=10`));
    expect(body).toMatchObject({ totalResults: 7, startIndex: 50, itemsPerPage: 0, Resources: [] });
  });

  it('keeps a stable order without sortBy: pages hold every user exactly once', async () => {
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= 7; startIndex += 2) {
      const body = expectList(await scim.get(`/Users?filter=${filter()}&startIndex=${startIndex}&count=2`));
      expect(body.totalResults).toBe(7);
      seen.push(...body.Resources.map((u: Json) => u.id as string));
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(sorted(seen)).toEqual(sorted(ids));

    const again: string[] = [];
    for (let startIndex = 1; startIndex <= 7; startIndex += 2) {
      const body = expectList(await scim.get(`/Users?filter=${filter()}&startIndex=${startIndex}&count=2`));
      again.push(...body.Resources.map((u: Json) => u.id as string));
    }
    expect(again).toEqual(seen);
  });

  it('applies attributes and excludedAttributes to each resource', async () => {
    const only = expectList(await scim.get(`/Users?filter=${filter()}&attributes=userName`));
    for (const user of only.Resources as Json[]) {
      expect(Object.keys(user).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    }
    const without = expectList(await scim.get(`/Users?filter=${filter()}&excludedAttributes=emails,name`));
    for (const user of without.Resources as Json[]) {
      expect(user).not.toHaveProperty('emails');
      expect(user).not.toHaveProperty('name');
      expect(user.userName).toEqual(expect.stringContaining(prefix));
    }
  });

  it('answers POST /Users/.search like GET', async () => {
    const res = await scim.post('/Users/.search', {
      schemas: [SEARCH_URN],
      filter: `userName sw "${prefix}."`,
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 1,
      count: 3,
      attributes: ['userName', 'displayName'],
    });
    const body = expectList(res);
    expect(body).toMatchObject({ totalResults: 7, startIndex: 1, itemsPerPage: 3 });
    expect(body.Resources.map((u: Json) => u.displayName)).toEqual(['Page 7', 'Page 6', 'Page 5']);
    expect(body.Resources[0]).not.toHaveProperty('emails');
  });

  it('matches userName case-insensitively (Okta SPEC R9)', async () => {
    const found = await listUsers(scim, `userName eq "${prefix.toUpperCase()}.3@EXAMPLE.TEST"`);
    expect(found.map((u) => u.displayName)).toEqual(['Page 3']);
  });

  it('finds by externalId', async () => {
    const found = await listUsers(scim, `externalId eq "${prefix}-5"`);
    expect(found.map((u) => u.displayName)).toEqual(['Page 5']);
  });

  it('finds by emails[type eq "work"].value', async () => {
    const found = await listUsers(scim, `emails[type eq "work"].value eq "${prefix}.6@example.test"`);
    expect(found.map((u) => u.displayName)).toEqual(['Page 6']);
    expect(await listUsers(scim, `emails[type eq "home"].value eq "${prefix}.6@example.test"`)).toEqual([]);
  });

  it('combines conditions with and', async () => {
    const found = await listUsers(scim, `userName sw "${prefix}." and displayName eq "Page 2"`);
    expect(found.map((u) => u.id)).toEqual([ids[5]]);
  });

  it('treats _ and % in sw and co as literal characters', async () => {
    const wild = unique('wild');
    const underscore = await createUser(scim, aUser(`${wild}_x@example.test`));
    await createUser(scim, aUser(`${wild}.x@example.test`));
    const percent = await createUser(scim, aUser(`${wild}%y@example.test`));
    await createUser(scim, aUser(`${wild}-yy@example.test`));

    expect((await listUsers(scim, `userName sw "${wild}_"`)).map((u) => u.id)).toEqual([underscore.id]);
    expect((await listUsers(scim, `userName co "${wild}%"`)).map((u) => u.id)).toEqual([percent.id]);
  });

  it('answers a filter matching nothing with an empty ListResponse', async () => {
    const body = expectList(
      await scim.get(`/Users?filter=${encodeURIComponent('userName eq "nobody@nowhere"')}`),
    );
    expect(body).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
  });

  it('refuses a filter on an unsupported attribute with 400 invalidFilter naming it', async () => {
    const res = await scim.get(`/Users?filter=${encodeURIComponent('shoeSize eq "44"')}`);
    const body = expectScimError(res, 400, 'invalidFilter');
    expect(body.detail).toContain('shoeSize');
  });

  it.each(['userName eq', 'userName xx "a"', '(userName eq "a"', 'userName eq "a" and'])(
    'refuses the malformed filter %j with 400 invalidFilter',
    async (bad) => {
      expectScimError(await scim.get(`/Users?filter=${encodeURIComponent(bad)}`), 400, 'invalidFilter');
    },
  );
});

describe('GET /Users count above maxResults', () => {
  let small: TestRoster;
  let client: ScimClient;

  beforeAll(async () => {
    small = await startRoster({ SCIM_MAX_RESULTS: '3' });
    client = scimClient(small, (await createAccount(small)).token);
    for (let n = 0; n < 4; n++) await createUser(client, aUser(uniqueEmail('cap')));
  });
  afterAll(() => small.stop());

  it('caps count at maxResults instead of refusing it', async () => {
    const body = expectList(await client.get('/Users?startIndex=1&count=100'));
    // 4 provisioned users plus the account's Owner.
    expect(body).toMatchObject({ totalResults: 5, itemsPerPage: 3 });
    expect(body.Resources).toHaveLength(3);
  });

  it('caps a missing count at maxResults too', async () => {
    const body = expectList(await client.get('/Users'));
    expect(body.Resources).toHaveLength(3);
  });
});

describe('PUT /Users/{id}', () => {
  it('takes Okta read-modify-write: the whole object with id, meta and groups', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('put'), unique('00u')));
    const current = await getUser(scim, created.id);

    const res = await scim.put(`/Users/${created.id}`, {
      ...current,
      displayName: 'Renamed User',
      name: { givenName: 'Renamed', familyName: 'User' },
      password: 'newSecret1',
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      displayName: 'Renamed User',
      name: { givenName: 'Renamed' },
    });
    expect(res.body).not.toHaveProperty('password');
    expect(res.headers.etag).toBe(res.body.meta.version);
    const after = await getUser(scim, created.id);
    expect(after).toMatchObject({
      displayName: 'Renamed User',
      name: { givenName: 'Renamed', familyName: 'User' },
    });
    expect(after.meta.created).toBe(created.meta.created);
  });

  it('deactivates with active:false (Okta AIW apps)', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('put.off'), unique('00u')));
    const current = await getUser(scim, created.id);

    const res = await scim.put(`/Users/${created.id}`, { ...current, active: false });

    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect((await getUser(scim, created.id)).active).toBe(false);
  });

  it('drops attributes the PUT leaves out', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('put.drop'), unique('00u')));
    const { locale: _locale, ...rest } = await getUser(scim, created.id);

    expect((await scim.put(`/Users/${created.id}`, rest)).status).toBe(200);
    expect(await getUser(scim, created.id)).not.toHaveProperty('locale');
  });

  it("refuses to take another user's userName with 409", async () => {
    const taken = await createUser(scim, aUser(uniqueEmail('put.taken')));
    const created = await createUser(scim, aUser(uniqueEmail('put.taker')));

    const res = await scim.put(`/Users/${created.id}`, {
      ...created,
      userName: taken.userName.toUpperCase(),
    });

    expectScimError(res, 409, 'uniqueness');
    expect((await getUser(scim, created.id)).userName).toBe(created.userName);
  });
});

describe('PATCH /Users/{id}', () => {
  it('deactivates and reactivates with Okta pathless replace', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('okta.off'), unique('00u')));

    const off = await scim.patch(
      `/Users/${created.id}`,
      patchOp({ op: 'replace', value: { active: false } }),
    );
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await getUser(scim, created.id)).active).toBe(false);

    const on = await scim.patch(`/Users/${created.id}`, patchOp({ op: 'replace', value: { active: true } }));
    expect(on.status).toBe(200);
    expect((await getUser(scim, created.id)).active).toBe(true);
  });

  it.each([
    ['False', false],
    ['false', false],
    ['FALSE', false],
    [false, false],
  ])('disables with Entra value %j', async (value, expected) => {
    const created = await createUser(scim, aUser(uniqueEmail('entra.off')));
    const res = await scim.patch(`/Users/${created.id}`, patchOp({ op: 'Replace', path: 'active', value }));
    expect(res.status).toBe(200);
    expect((await getUser(scim, created.id)).active).toBe(expected);
  });

  it('re-enables with Entra "True"', async () => {
    const created = await createUser(scim, aUser(uniqueEmail('entra.on'), { active: false }));
    expect(created.active).toBe(false);
    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp({ op: 'Replace', path: 'active', value: 'True' }),
    );
    expect(res.status).toBe(200);
    expect((await getUser(scim, created.id)).active).toBe(true);
  });

  it("applies Entra's default multi-attribute update", async () => {
    const created = await createUser(scim, aUser(uniqueEmail('entra.multi')));
    const newEmail = uniqueEmail('x');
    const externalId = unique('Eqpj');

    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: newEmail },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: externalId },
        { op: 'Replace', path: `${ENTERPRISE_URN}:employeeNumber`, value: 'Eqpj' },
      ),
    );

    expect(res.status).toBe(200);
    const after = await getUser(scim, created.id);
    expect(after).toMatchObject({
      displayName: 'Pvlo',
      name: { givenName: 'Gtfd', familyName: 'Pkqf' },
      externalId,
      [ENTERPRISE_URN]: { employeeNumber: 'Eqpj' },
    });
    expect(after.emails).toEqual([{ primary: true, type: 'work', value: newEmail }]);
    expect(after.schemas).toContain(ENTERPRISE_URN);
    expect((await listUsers(scim, `externalId eq "${externalId}"`)).map((u) => u.id)).toEqual([created.id]);
  });

  it("applies Entra's flagged pathless update with dotted keys", async () => {
    const created = await createUser(scim, aUser(uniqueEmail('entra.dotted')));

    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp({
        op: 'replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          [`${ENTERPRISE_URN}:employeeNumber`]: 'Aklq',
        },
      }),
    );

    expect(res.status).toBe(200);
    expect(await getUser(scim, created.id)).toMatchObject({
      displayName: 'Bjfe',
      name: { givenName: 'Kkom', familyName: 'Unua' },
      [ENTERPRISE_URN]: { employeeNumber: 'Aklq' },
    });
  });

  it('creates filtered targets that do not exist yet and keeps the other ops (#23)', async () => {
    const userName = uniqueEmail('entra.filtered');
    const created = await createUser(scim, aUser(userName));

    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp(
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 (555) 010-0199' },
        { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '98052' },
        { op: 'Add', path: 'emails[type eq "other"].value', value: 'other@example.test' },
        { op: 'Add', path: 'roles[primary eq "True"].value', value: 'Engineer' },
        { op: 'Replace', path: 'displayName', value: 'Still Applied' },
      ),
    );

    expect(res.status).toBe(200);
    const after = await getUser(scim, created.id);
    expect(after.displayName).toBe('Still Applied');
    expect(after.phoneNumbers).toEqual([{ type: 'work', value: '+1 (555) 010-0199' }]);
    expect(after.addresses).toEqual([{ type: 'work', postalCode: '98052' }]);
    expect(after.roles).toEqual([{ primary: true, value: 'Engineer' }]);
    expect(after.emails).toEqual([
      { primary: true, type: 'work', value: userName },
      { type: 'other', value: 'other@example.test' },
    ]);
  });

  it('adds a single value: nickName', async () => {
    const created = await createUser(scim, aUser(uniqueEmail('nick')));
    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp({ op: 'Add', path: 'nickName', value: 'Babs' }),
    );
    expect(res.status).toBe(200);
    expect((await getUser(scim, created.id)).nickName).toBe('Babs');
  });

  describe('manager (#25)', () => {
    let manager: Json;
    let otherManager: Json;

    beforeAll(async () => {
      manager = await createUser(scim, aUser(uniqueEmail('manager')));
      otherManager = await createUser(scim, aUser(uniqueEmail('manager2')));
    });

    const managerOf = async (id: string) => (await getUser(scim, id))[ENTERPRISE_URN]?.manager;

    it.each([
      [
        'Add manager [{$ref, value}]',
        (id: string) => ({
          op: 'Add',
          path: 'manager',
          value: [{ $ref: `${SCIM_BASE}/Users/${id}`, value: id }],
        }),
      ],
      [
        'Replace URN:manager "<id>"',
        (id: string) => ({ op: 'Replace', path: `${ENTERPRISE_URN}:manager`, value: id }),
      ],
      [
        'Replace URN:manager {value}',
        (id: string) => ({ op: 'Replace', path: `${ENTERPRISE_URN}:manager`, value: { value: id } }),
      ],
      [
        'Add URN:manager {value}',
        (id: string) => ({ op: 'Add', path: `${ENTERPRISE_URN}:manager`, value: { value: id } }),
      ],
    ])('sets the manager with %s, then filter manager eq finds the report', async (_shape, operation) => {
      const report = await createUser(scim, aUser(uniqueEmail('report')));

      const res = await scim.patch(`/Users/${report.id}`, patchOp(operation(manager.id)));

      expect(res.status).toBe(200);
      expect(await managerOf(report.id)).toMatchObject({ value: manager.id });
      const reports = await listUsers(scim, `manager eq "${manager.id}"`);
      expect(reports.map((u) => u.id)).toContain(report.id);
      const entraCheck = await listUsers(scim, `id eq "${report.id}" and manager eq "${manager.id}"`);
      expect(entraCheck.map((u) => u.id)).toEqual([report.id]);
    });

    it('replaces one manager with another', async () => {
      const report = await createUser(scim, aUser(uniqueEmail('report')));
      await scim.patch(
        `/Users/${report.id}`,
        patchOp({ op: 'Add', path: 'manager', value: [{ value: manager.id }] }),
      );

      const res = await scim.patch(
        `/Users/${report.id}`,
        patchOp({ op: 'Replace', path: `${ENTERPRISE_URN}:manager`, value: otherManager.id }),
      );

      expect(res.status).toBe(200);
      expect(await managerOf(report.id)).toMatchObject({ value: otherManager.id });
      expect((await listUsers(scim, `manager eq "${manager.id}"`)).map((u) => u.id)).not.toContain(report.id);
      expect((await listUsers(scim, `manager eq "${otherManager.id}"`)).map((u) => u.id)).toContain(
        report.id,
      );
    });

    it('removes the manager with Remove on the URN path', async () => {
      const report = await createUser(scim, aUser(uniqueEmail('report')));
      await scim.patch(
        `/Users/${report.id}`,
        patchOp({ op: 'Add', path: 'manager', value: [{ value: manager.id }] }),
      );

      const res = await scim.patch(
        `/Users/${report.id}`,
        patchOp({ op: 'Remove', path: `${ENTERPRISE_URN}:manager` }),
      );

      expect(res.status).toBe(200);
      expect(await managerOf(report.id)).toBeUndefined();
      expect(
        (await listUsers(scim, `id eq "${report.id}" and manager eq "${manager.id}"`)).map((u) => u.id),
      ).toEqual([]);
    });

    it('keeps a report changeable after its manager was hard-deleted', async () => {
      const gone = await createUser(scim, aUser(uniqueEmail('manager.gone')));
      const report = await createUser(scim, aUser(uniqueEmail('report')));
      await scim.patch(
        `/Users/${report.id}`,
        patchOp({ op: 'Add', path: 'manager', value: [{ value: gone.id }] }),
      );
      expect((await scim.delete(`/Users/${gone.id}`)).status).toBe(204);
      expect(await managerOf(report.id)).toBeUndefined();
      expect(await listUsers(scim, `manager eq "${gone.id}"`)).toEqual([]);

      const res = await scim.patch(
        `/Users/${report.id}`,
        patchOp({ op: 'Replace', path: 'active', value: 'False' }),
      );

      expect(res.status).toBe(200);
      expect((await getUser(scim, report.id)).active).toBe(false);
      const replaced = await scim.patch(
        `/Users/${report.id}`,
        patchOp({ op: 'Replace', path: `${ENTERPRISE_URN}:manager`, value: manager.id }),
      );
      expect(replaced.status).toBe(200);
      expect(await managerOf(report.id)).toEqual({ value: manager.id });
    });

    it('refuses an unknown manager id with 400 and changes nothing', async () => {
      const report = await createUser(scim, aUser(uniqueEmail('report')));
      const res = await scim.patch(
        `/Users/${report.id}`,
        patchOp({
          op: 'Replace',
          path: `${ENTERPRISE_URN}:manager`,
          value: '00000000-0000-4000-8000-000000000000',
        }),
      );
      expectScimError(res, 400, 'invalidValue');
      expect(await getUser(scim, report.id)).toEqual(report);
    });
  });

  it('refuses a pathless remove with 400 noTarget and changes nothing', async () => {
    const created = await createUser(scim, oktaUser(uniqueEmail('noTarget'), unique('00u')));

    const res = await scim.patch(
      `/Users/${created.id}`,
      patchOp({ op: 'Replace', path: 'displayName', value: 'Should Not Stick' }, { op: 'Remove' }),
    );

    expectScimError(res, 400, 'noTarget');
    expect(await getUser(scim, created.id)).toEqual(created);
  });

  it('refuses a read-only attribute with 400 mutability and changes nothing', async () => {
    const created = await createUser(scim, aUser(uniqueEmail('readonly')));
    const res = await scim.patch(`/Users/${created.id}`, patchOp({ op: 'replace', path: 'id', value: 'x' }));
    expectScimError(res, 400, 'mutability');
    expect(await getUser(scim, created.id)).toEqual(created);
  });
});

describe('DELETE /Users/{id}', () => {
  it('answers 204, then 404 on GET, and the user leaves the list', async () => {
    const created = await createUser(scim, aUser(uniqueEmail('delete')));

    const res = await scim.delete(`/Users/${created.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    expectScimError(await scim.get(`/Users/${created.id}`), 404);
    expect(await listUsers(scim, `id eq "${created.id}"`)).toEqual([]);
    expectScimError(await scim.delete(`/Users/${created.id}`), 404);
  });

  it('takes the deleted user out of its groups', async () => {
    const created = await createUser(scim, aUser(uniqueEmail('delete.member')));
    const group = await createGroup(scim, unique('Deleted Members'), [created.id]);

    expect((await scim.delete(`/Users/${created.id}`)).status).toBe(204);

    const after = await scim.get(`/Groups/${group.id}`);
    expect(after.body.members ?? []).toEqual([]);
  });
});

describe('a disabled user (#37)', () => {
  it('is still returned by GET and by filters, with active false', async () => {
    const userName = uniqueEmail('disabled');
    const created = await createUser(scim, aUser(userName));
    await scim.patch(`/Users/${created.id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));

    expect(await getUser(scim, created.id)).toMatchObject({ id: created.id, active: false });
    expect(await listUsers(scim, `userName eq "${userName}"`)).toMatchObject([
      { id: created.id, active: false },
    ]);
    const inactive = await listUsers(scim, 'active eq false');
    expect(inactive.map((u) => u.id)).toContain(created.id);
    expect(inactive.every((u) => u.active === false)).toBe(true);
    expect((await listUsers(scim, 'active eq true')).map((u) => u.id)).not.toContain(created.id);
  });
});

describe('Okta reprovision (#18)', () => {
  it('restores a deactivated user on a fresh POST with the same externalId, keeping its id', async () => {
    const userName = uniqueEmail('reprovision');
    const externalId = unique('00u');
    const created = await createUser(scim, oktaUser(userName, externalId));
    await scim.patch(`/Users/${created.id}`, patchOp({ op: 'replace', value: { active: false } }));

    const res = await scim.post('/Users', { ...oktaUser(userName, externalId), displayName: 'Back Again' });

    expect([200, 201]).toContain(res.status);
    expect(res.body).toMatchObject({ id: created.id, active: true, displayName: 'Back Again' });
    expect(await getUser(scim, created.id)).toMatchObject({ active: true, displayName: 'Back Again' });
    expect(await listUsers(scim, `externalId eq "${externalId}"`)).toHaveLength(1);
  });

  it('still answers 409 when the userName now belongs to another active user', async () => {
    const externalId = unique('00u');
    const created = await createUser(scim, oktaUser(uniqueEmail('reprov.gone'), externalId));
    await scim.patch(`/Users/${created.id}`, patchOp({ op: 'replace', value: { active: false } }));
    const other = await createUser(scim, aUser(uniqueEmail('reprov.other')));

    const res = await scim.post('/Users', oktaUser(other.userName, externalId));

    expectScimError(res, 409, 'uniqueness');
    expect(await getUser(scim, created.id)).toMatchObject({ userName: created.userName, active: false });
    expect(await getUser(scim, other.id)).toMatchObject({ userName: other.userName, active: true });
  });

  it('answers 409 to a POST with the externalId of an active user', async () => {
    const externalId = unique('00u');
    await createUser(scim, oktaUser(uniqueEmail('active.ext'), externalId));
    const res = await scim.post('/Users', oktaUser(uniqueEmail('active.ext2'), externalId));
    expectScimError(res, 409, 'uniqueness');
    expect(await listUsers(scim, `externalId eq "${externalId}"`)).toHaveLength(1);
  });
});

describe("a user's groups attribute", () => {
  it('lists the groups the user is a member of', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('grouped')));
    const group = await createGroup(scim, unique('Grouped'), [user.id]);

    const after = await getUser(scim, user.id);
    expect(after.groups).toEqual([
      expect.objectContaining({
        value: group.id,
        display: group.displayName,
        $ref: `${SCIM_BASE}/Groups/${group.id}`,
      }),
    ]);
    const members = await listUsers(scim, `groups.value eq "${group.id}"`);
    expect(members.map((u) => u.id)).toEqual([user.id]);
  });
});
