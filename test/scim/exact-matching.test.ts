import request from 'supertest';
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
  expectScimError,
  getUser,
  listGroups,
  listUsers,
  unique,
  uniqueEmail,
  type Json,
} from './scim-helpers';

/**
 * Values are compared the same way on SQLite and MariaDB: filter literals decoded as RFC 7644 says,
 * normalised as stored values are, without padding or look-alike folding; and the PATCH, If-Match
 * and conflict rules that depend on exact values.
 */
let roster: TestRoster;
let account: TestAccount;
let scim: ScimClient;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  scim = scimClient(roster, account.token);
});
afterAll(() => roster.stop());

const names = (users: Json[]) => users.map((u) => u.userName as string).sort();

describe('filter string literals are JSON strings (RFC 7644 §3.4.2.2)', () => {
  it('`userName eq "ACME\\\\jdoe"` finds ACME\\jdoe; an invalid escape is a 400', async () => {
    const userName = `ACME\\${unique('jdoe')}`;
    await createUser(scim, aUser(userName));
    const escaped = JSON.stringify(userName);
    expect(names(await listUsers(scim, `userName eq ${escaped}`))).toEqual([userName]);
    // `\j` is no JSON escape: refused, not read as a backslash.
    const res = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expectScimError(res, 400, 'invalidFilter');
  });

  it('\\u escapes and an escaped quote are decoded', async () => {
    const userName = `${unique('q')}"quoted"@example.test`;
    await createUser(scim, aUser(userName));
    const filter = `userName eq "\\u0071${JSON.stringify(userName).slice(2)}`;
    expect(names(await listUsers(scim, filter))).toEqual([userName]);
  });

  it('the same in a PATCH value filter', async () => {
    const user = await createUser(
      scim,
      aUser(uniqueEmail('pf'), { emails: [{ value: 'a\\b@example.test', type: 'work' }] }),
    );
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: 'emails[value eq "a\\\\b@example.test"].type', value: 'home' }),
    );
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([expect.objectContaining({ value: 'a\\b@example.test', type: 'home' })]);
  });
});

describe('filter values are normalised as stored values are, with no padding on either database', () => {
  it('case-insensitive attributes ignore case and surrounding spaces, as their stored keys do', async () => {
    const base = unique('pad');
    const user = await createUser(scim, aUser(`${base}@example.test`, { displayName: `${base} Ops` }));
    expect(names(await listUsers(scim, `userName eq "  ${base.toUpperCase()}@EXAMPLE.TEST  "`))).toEqual([
      user.userName,
    ]);
    expect(names(await listUsers(scim, `displayName eq "${base} OPS   "`))).toEqual([user.userName]);
  });

  it('case-exact attributes match exactly: "x  " is not "x" (MariaDB padded it)', async () => {
    const externalId = unique('ext');
    const user = await createUser(scim, aUser(uniqueEmail('pad'), { externalId }));
    expect(await listUsers(scim, `externalId eq "${externalId}  "`)).toEqual([]);
    expect(names(await listUsers(scim, `externalId eq "${externalId}"`))).toEqual([user.userName]);
    // Nor may two externalIds that differ by trailing spaces collide.
    await createUser(scim, aUser(uniqueEmail('pad'), { externalId: `${externalId}  ` }));
    const group = await createGroup(scim, unique('g'));
    await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'replace', path: 'externalId', value: externalId }),
    );
    expect(await listGroups(scim, `externalId eq "${externalId} "`)).toEqual([]);
  });

  it('look-alikes are not folded into ASCII: KELVIN SIGN is not "k"', async () => {
    const base = unique('ate');
    const kate = await createUser(scim, aUser(`k${base}@example.test`));
    expect(await listUsers(scim, `userName eq "\u212A${base}@example.test"`)).toEqual([]);
    // A user of that name is someone else, not a conflict with "k…".
    const kelvin = await createUser(scim, aUser(`\u212A${base}@example.test`));
    expect(kelvin.id).not.toBe(kate.id);
    expect(names(await listUsers(scim, `userName eq "K${base}@EXAMPLE.test"`))).toEqual([kate.userName]);
  });
});

describe('filters on every attribute of the schemas', () => {
  let user: Json;
  let boss: Json;
  beforeAll(async () => {
    boss = await createUser(scim, aUser(uniqueEmail('boss'), { displayName: 'Big Boss' }));
    user = await createUser(
      scim,
      aUser(uniqueEmail('all'), {
        nickName: 'Nicky',
        title: 'Staff Engineer',
        locale: 'en-GB',
        name: { givenName: 'N', familyName: 'M', middleName: 'Q', formatted: 'N Q M' },
        emails: [{ value: 'all@example.test', display: 'Main Mail', primary: true, type: 'work' }],
        phoneNumbers: [
          { value: '+1 555 1234', type: 'work', primary: true },
          { value: '+1 777 0000', type: 'home' },
        ],
        addresses: [{ locality: 'Zürich', country: 'CH', type: 'work' }],
        roles: [{ value: 'Approver' }],
        [ENTERPRISE_URN]: { department: 'R&D', costCenter: 'CC-7', manager: { value: boss.id } },
      }),
    );
  });

  it.each([
    'nickName eq "nicky"',
    'title sw "staff"',
    'locale eq "EN-gb"',
    'name.middleName eq "q"',
    'name.formatted co "q m"',
    'emails.display eq "main mail"',
    'emails[display eq "Main Mail" and primary eq true]',
    'phoneNumbers[type eq "work" and value co "555"]',
    'phoneNumbers[primary eq false].value eq "+1 777 0000"',
    'addresses.locality eq "zürich"',
    'addresses[country eq "ch" and type eq "work"]',
    'roles.value eq "approver"',
    `${ENTERPRISE_URN}:department eq "r&d"`,
    `${ENTERPRISE_URN}:costCenter pr`,
    `${ENTERPRISE_URN}:manager.displayName eq "big boss"`,
  ])('%s finds the user, and only them', async (filter) => {
    expect(names(await listUsers(scim, `(${filter}) and userName eq "${user.userName}"`))).toEqual([
      user.userName,
    ]);
    const all = await listUsers(scim, filter);
    expect(all.map((u) => u.id)).toContain(user.id);
    expect(all.map((u) => u.id)).not.toContain(boss.id);
  });

  it.each(['phoneNumbers[type eq "home" and value co "555"]', 'nickName ne "nicky"', 'not (title pr)'])(
    '%s does not find them',
    async (filter) => {
      expect((await listUsers(scim, filter)).map((u) => u.id)).not.toContain(user.id);
    },
  );

  it('follows a change: the index is rewritten with the user', async () => {
    await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'nickName', value: 'Nico' }));
    expect(await listUsers(scim, 'nickName eq "nicky"')).toEqual([]);
    expect(names(await listUsers(scim, 'nickName eq "NICO"'))).toEqual([user.userName]);
  });

  it('an attribute no schema has is still a 400 invalidFilter', async () => {
    expectScimError(
      await scim.get(`/Users?filter=${encodeURIComponent('shoeSize eq "44"')}`),
      400,
      'invalidFilter',
    );
  });
});

describe('PATCH, If-Match and conflicts', () => {
  it('replacing emails with two primaries is refused, as a POST of them is', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('two')));
    const emails = [
      { value: 'p1@example.test', primary: true },
      { value: 'p2@example.test', primary: true },
    ];
    expectScimError(await scim.post('/Users', aUser(uniqueEmail('two'), { emails })), 400, 'invalidValue');
    for (const op of ['replace', 'add']) {
      const res = await scim.patch(`/Users/${user.id}`, patchOp({ op, path: 'emails', value: emails }));
      expect(expectScimError(res, 400, 'invalidValue').detail).toMatch(
        /one value of "emails" may be primary/,
      );
    }
    expect((await getUser(scim, user.id)).emails).toEqual(user.emails);
  });

  it('an unmatched value path that cannot be created is a 400 noTarget', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('nt')));
    for (const path of ['emails[shade eq "blue"].value', 'emails[type eq "home" or type eq "other"].value']) {
      const res = await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op: 'replace', path, value: 'x@example.test' }),
      );
      expectScimError(res, 400, 'noTarget');
    }
    expect((await getUser(scim, user.id)).meta.version).toBe(user.meta.version);
  });

  it('If-Match listing several ETags succeeds when one is current, and is a 412 when none is', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('etag')));
    const put = (ifMatch: string) =>
      request(roster.app)
        .put(`/scim/v2/Users/${user.id}`)
        .set({
          Authorization: `Bearer ${account.token}`,
          'Content-Type': 'application/scim+json',
          'If-Match': ifMatch,
        })
        .send(JSON.stringify(aUser(user.userName as string, { title: 'changed' })));
    expectScimError(await put('W/"998", W/"999"'), 412);
    const res = await put(`W/"999", ${user.meta.version}, W/"1000"`);
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('changed');
  });

  it('a conflict names the constraint that refused it, whatever the value says', async () => {
    const userName = `${unique('x')}-external_id@example.test`;
    await createUser(scim, aUser(userName, { externalId: unique('a') }));
    const res = await scim.post('/Users', aUser(userName, { externalId: unique('b') }));
    expect(expectScimError(res, 409, 'uniqueness').detail).toMatch(/^userName .* is already in use$/);
  });
});
