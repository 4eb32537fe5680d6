import {
  aUser,
  createAccount,
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
  unique,
  USER_URN,
  type Json,
} from './scim-helpers';

let roster: TestRoster;
let account: TestAccount;
let scim: ScimClient;
const prefix = unique('proj');
const filter = () => encodeURIComponent(`userName sw "${prefix}."`);

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  scim = scimClient(roster, account.token);
  const boss = await createUser(scim, aUser(`${prefix}.boss@example.test`));
  for (let n = 1; n <= 4; n++) {
    const user = await createUser(
      scim,
      aUser(`${prefix}.${n}@example.test`, {
        schemas: [USER_URN, ENTERPRISE_URN],
        displayName: `Proj ${n}`,
        title: n % 2 ? 'Engineer' : undefined,
        phoneNumbers: [{ value: `+1555000${n}`, type: 'work' }],
        [ENTERPRISE_URN]: { employeeNumber: `E${n}`, department: 'R&D', manager: { value: boss.id } },
      }),
    );
    await createGroup(scim, unique(`${prefix}-group-${n}`), [user.id]);
  }
});
afterAll(() => roster.stop());

/** A list page's resources, and each one's GET /Users/{id} with the same query string. */
async function listedAndFetched(query: string): Promise<[Json[], Json[]]> {
  const page = expectList(await scim.get(`/Users?filter=${filter()}&sortBy=userName${query}`));
  const fetched: Json[] = [];
  for (const user of page.Resources as Json[]) {
    const res = await scim.get(`/Users/${user.id}${query.replace(/^&/, '?')}`);
    expect(res.status).toBe(200);
    fetched.push(res.body as Json);
  }
  return [page.Resources as Json[], fetched];
}

describe('a list page returns each user exactly as GET /Users/{id} does', () => {
  it.each([
    ['no projection', ''],
    ['attributes=userName,name.givenName', '&attributes=userName,name.givenName'],
    ['an extension attribute by its full path', `&attributes=${ENTERPRISE_URN}:employeeNumber,title`],
    ['the whole extension by its URN', `&attributes=${ENTERPRISE_URN}`],
    ['excludedAttributes=groups,emails', '&excludedAttributes=groups,emails'],
    ['excluding a sub-attribute', '&excludedAttributes=name.givenName,phoneNumbers.type'],
    ['excluding the extension', `&excludedAttributes=${ENTERPRISE_URN}`],
    ['excluding an attribute no user has', '&excludedAttributes=nickName'],
  ])('%s', async (_label, query) => {
    const [listed, fetched] = await listedAndFetched(query);
    expect(listed).toHaveLength(5);
    expect(JSON.stringify(listed)).toBe(JSON.stringify(fetched));
  });

  it('keeps the manager, groups and meta in a full resource, and drops what is excluded', async () => {
    const [full] = await listedAndFetched('');
    const first = full.find((u) => u.userName === `${prefix}.1@example.test`)!;
    expect(first.schemas).toEqual([USER_URN, ENTERPRISE_URN, expect.stringContaining('roster')]);
    expect(first[ENTERPRISE_URN]).toMatchObject({
      employeeNumber: 'E1',
      manager: { value: expect.any(String) },
    });
    expect(first.groups).toEqual([expect.objectContaining({ type: 'direct', display: expect.any(String) })]);
    expect(first.meta).toMatchObject({ resourceType: 'User', version: expect.stringMatching(/^W\/"\d+"$/) });

    const [only] = await listedAndFetched(`&attributes=${ENTERPRISE_URN}:employeeNumber`);
    expect(only[0]).toEqual({
      schemas: [USER_URN, ENTERPRISE_URN],
      id: only[0].id,
      [ENTERPRISE_URN]: { employeeNumber: 'E1' },
      meta: { resourceType: 'User' },
    });
    const [without] = await listedAndFetched(`&excludedAttributes=${ENTERPRISE_URN},groups`);
    expect(without[0]).not.toHaveProperty(ENTERPRISE_URN);
    expect(without[0]).not.toHaveProperty('groups');
    expect(without[0].schemas).not.toContain(ENTERPRISE_URN);
    expect(without[0].userName).toBe(`${prefix}.1@example.test`);
  });
});

describe("a listed user's groups", () => {
  it('come in the order of their names as the database compares them (code points, case folded), as GET shows them', async () => {
    const user = await createUser(scim, aUser(`${unique('order')}@example.test`));
    const tag = unique('g');
    // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit.
    for (const name of [`😀 ${tag}`, `～ ${tag}`, `Beta ${tag}`, `alpha ${tag}`]) {
      await createGroup(scim, name, [user.id]);
    }
    const expected = [`alpha ${tag}`, `Beta ${tag}`, `～ ${tag}`, `😀 ${tag}`];
    const listed = expectList(await scim.get(`/Users?filter=${encodeURIComponent(`id eq "${user.id}"`)}`));
    expect((listed.Resources[0].groups as Json[]).map((g) => g.display)).toEqual(expected);
    const fetched = await scim.get(`/Users/${user.id}`);
    expect((fetched.body.groups as Json[]).map((g) => g.display)).toEqual(expected);
  });
});
