import {
  aUser,
  createAccount,
  scimClient,
  startRoster,
  type ScimClient,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import { createGroup, createUser, expectList, unique, type Json } from './scim-helpers';

let roster: TestRoster;
let account: TestAccount;
let scim: ScimClient;
const prefix = unique('pages');
const size = 12;
/** The users' ids in userName order, as the list sorts them. */
let ordered: string[] = [];
const inPrefix = encodeURIComponent(`userName sw "${prefix}."`);

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  scim = scimClient(roster, account.token);
  const ids: string[] = [];
  // Created out of order, so creation order and the list's order differ.
  for (const n of [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 4, 6]) {
    ids[n] = (await createUser(scim, aUser(`${prefix}.${String(n).padStart(2, '0')}@example.test`))).id;
  }
  ordered = ids;
  // Groups whose names sort differently by code point and by case; users in none, one or several.
  const names = ['Zeta', 'alpha', 'Émile', 'beta 2', 'Beta 10'].map((n) => unique(`${prefix}-${n}`));
  const members = (k: number) => ordered.filter((_, i) => i % (k + 2) === 0);
  const groupIds: string[] = [];
  for (const [k, name] of names.entries())
    groupIds.push((await createGroup(scim, name, members(k))).id as string);
  await roster.services.mappings.add(account.operator, {
    matchKind: 'id',
    matchValue: groupIds[1],
    roleKey: 'analyst',
  });
});
afterAll(() => roster.stop());

async function page(startIndex: number, count: number): Promise<Json> {
  return expectList(
    await scim.get(`/Users?filter=${inPrefix}&sortBy=userName&startIndex=${startIndex}&count=${count}`),
  );
}

describe('index paging tells the total and the right slice, wherever the page falls', () => {
  const starts = [1, 2, 5, 11, 12, 13, 30];
  const counts = [0, 1, 5, 11, 12, 50];
  it.each(starts.flatMap((s) => counts.map((c) => [s, c] as const)))(
    'startIndex=%i count=%i',
    async (startIndex, count) => {
      const body = await page(startIndex, count);
      const expected = count === 0 ? [] : ordered.slice(startIndex - 1, startIndex - 1 + count);
      expect(body.totalResults).toBe(size);
      expect(body.itemsPerPage).toBe(expected.length);
      expect((body.Resources as Json[]).map((u) => u.id)).toEqual(expected);
    },
  );

  it('a filter matching nobody has a total of 0, at the start or past it', async () => {
    const none = encodeURIComponent(`userName eq "${prefix}.nobody@example.test"`);
    for (const startIndex of [1, 5]) {
      const body = expectList(await scim.get(`/Users?filter=${none}&startIndex=${startIndex}`));
      expect(body.totalResults).toBe(0);
      expect(body.Resources ?? []).toEqual([]);
    }
  });

  it('a filter matching one user tells its total past the start and with count=0', async () => {
    const one = [`userName eq "${prefix}.03@example.TEST"`, `id eq "${ordered[3]}"`].map(encodeURIComponent);
    for (const filter of one) {
      const first = expectList(await scim.get(`/Users?filter=${filter}`));
      expect(first.totalResults).toBe(1);
      expect((first.Resources as Json[]).map((u) => u.id)).toEqual([ordered[3]]);
      for (const query of ['startIndex=2', 'startIndex=1&count=0']) {
        const body = expectList(await scim.get(`/Users?filter=${filter}&${query}`));
        expect(body.totalResults).toBe(1);
        expect(body.Resources ?? []).toEqual([]);
      }
    }
  });
});

describe('a user reads the same in a one-user filter, a full page and GET /Users/{id}', () => {
  it.each([0, 2, 6, 7])('user %i: groups in order, role from the mapped group', async (n) => {
    const id = ordered[n];
    const byName = encodeURIComponent(`userName eq "${prefix}.${String(n).padStart(2, '0')}@EXAMPLE.test"`);
    const filtered = expectList(await scim.get(`/Users?filter=${byName}`));
    expect(filtered.totalResults).toBe(1);
    const full = (await page(1, 50)).Resources as Json[];
    const fetched = (await scim.get(`/Users/${id}`)).body as Json;
    const inFull = full.find((u) => u.id === id);
    expect(JSON.stringify(filtered.Resources[0])).toBe(JSON.stringify(fetched));
    expect(JSON.stringify(inFull)).toBe(JSON.stringify(fetched));
    if (n % 2 === 0) expect((fetched.groups as Json[]).length).toBeGreaterThan(0);
  });

  it('a user in every group has them by name in code point order, case folded, then by id', async () => {
    const fetched = (await scim.get(`/Users/${ordered[0]}`)).body as Json;
    // Each name is `${prefix}-${word}.${random}`: the words decide the order.
    const words = (user: Json) =>
      (user.groups as Json[]).map((g) => (g.display as string).slice(prefix.length + 1).split('.')[0]);
    const expected = ['alpha', 'Beta 10', 'beta 2', 'Zeta', 'Émile'];
    expect(words(fetched)).toEqual(expected);
    const full = (await page(1, 50)).Resources as Json[];
    expect(words(full.find((u) => u.id === ordered[0])!)).toEqual(expected);
  });

  it('the mapped group gives its members the role in every read', async () => {
    const member = ordered[0];
    const filtered = expectList(await scim.get(`/Users?filter=${encodeURIComponent(`id eq "${member}"`)}`));
    const extension = Object.entries(filtered.Resources[0] as Json).find(([k]) =>
      k.startsWith('urn:roster:'),
    )?.[1] as Json;
    expect(extension).toMatchObject({ roleKey: 'analyst', roleSource: 'group' });
  });
});
