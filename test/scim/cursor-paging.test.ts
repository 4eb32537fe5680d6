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
  expectScimError,
  LIST_URN,
  SEARCH_URN,
  unique,
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

/** Asserts an RFC 9865 cursor page (no startIndex) and returns it. */
function cursorPage(res: { status: number; body: Json }): Json {
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
  expect(res.body.schemas).toEqual([LIST_URN]);
  expect(res.body).not.toHaveProperty('startIndex');
  expect(res.body.itemsPerPage).toBe(res.body.Resources.length);
  for (const cursor of [res.body.nextCursor, res.body.previousCursor].filter((c) => c !== undefined)) {
    // RFC 9865 §2: only characters of RFC 3986's unreserved set.
    expect(cursor).toMatch(/^[A-Za-z0-9._~-]+$/);
  }
  return res.body as Json;
}

/** Follows nextCursor from the first page to the last; returns every page. */
async function walkForward(path: string, sep = '&'): Promise<Json[]> {
  const pages = [cursorPage(await scim.get(`${path}${sep}cursor=`))];
  while (pages[pages.length - 1].nextCursor !== undefined) {
    expect(pages.length).toBeLessThan(50);
    pages.push(cursorPage(await scim.get(`${path}${sep}cursor=${pages[pages.length - 1].nextCursor}`)));
  }
  return pages;
}

async function walkBackward(path: string, last: Json): Promise<Json[]> {
  const pages = [last];
  while (pages[0].previousCursor !== undefined) {
    expect(pages.length).toBeLessThan(50);
    pages.unshift(cursorPage(await scim.get(`${path}&cursor=${pages[0].previousCursor}`)));
  }
  return pages;
}

const namesOf = (pages: Json[]) =>
  pages.flatMap((p) => (p.Resources as Json[]).map((u) => u.userName as string));

describe('cursor paging of /Users (RFC 9865)', () => {
  const prefix = unique('cur');
  const names: string[] = [];
  const filter = () => encodeURIComponent(`userName sw "${prefix}."`);

  beforeAll(async () => {
    // Created out of order; every third has no externalId (NULL sorts first ascending, last descending);
    // displayName repeats, so ties fall back to the id.
    for (const n of [7, 2, 10, 5, 1, 9, 4, 8, 3, 6]) {
      const userName = `${prefix}.${String(n).padStart(2, '0')}@example.test`;
      names.push(userName);
      await createUser(
        scim,
        aUser(userName, {
          displayName: `Tie ${n % 3}`,
          ...(n % 3 === 0 ? {} : { externalId: `${prefix}-x${String(n).padStart(2, '0')}` }),
        }),
      );
    }
    names.sort();
  });

  it('walks every user exactly once, in order, forward and back, with totalResults on each page', async () => {
    const path = `/Users?filter=${filter()}&sortBy=userName&count=3`;
    const pages = await walkForward(path);
    expect(pages.map((p) => p.itemsPerPage)).toEqual([3, 3, 3, 1]);
    expect(pages.every((p) => p.totalResults === 10)).toBe(true);
    expect(namesOf(pages)).toEqual(names);
    expect(pages[0]).not.toHaveProperty('previousCursor');
    expect(pages[3]).not.toHaveProperty('nextCursor');

    const back = await walkBackward(path, pages[3]);
    expect(back.map((p) => namesOf([p]))).toEqual(pages.map((p) => namesOf([p])));
  });

  it.each([
    ['userName descending', 'sortBy=userName&sortOrder=descending'],
    ['externalId ascending (NULLs first)', 'sortBy=externalId'],
    ['externalId descending (NULLs last)', 'sortBy=externalId&sortOrder=descending'],
    ['displayName with ties', 'sortBy=displayName'],
    ['no sortBy (by id)', ''],
    ['meta.created', 'sortBy=meta.created&sortOrder=descending'],
  ])('matches index paging sorted by %s', async (_label, sort) => {
    const base = `/Users?filter=${filter()}${sort ? `&${sort}` : ''}`;
    const all = await scim.get(`${base}&count=100`);
    const expected = (all.body.Resources as Json[]).map((u) => u.userName);
    expect(expected).toHaveLength(10);
    const pages = await walkForward(`${base}&count=4`);
    expect(namesOf(pages)).toEqual(expected);
    const back = await walkBackward(`${base}&count=4`, pages[pages.length - 1]);
    expect(namesOf(back)).toEqual(expected);
  });

  it('carries on from the right place when the row a cursor names is deleted', async () => {
    const local = unique('del');
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) ids.push((await createUser(scim, aUser(`${local}.${n}@example.test`))).id);
    const path = `/Users?filter=${encodeURIComponent(`userName sw "${local}."`)}&sortBy=userName&count=2`;
    const first = cursorPage(await scim.get(`${path}&cursor=`));
    expect(namesOf([first])).toEqual([`${local}.1@example.test`, `${local}.2@example.test`]);
    expect((await scim.delete(`/Users/${ids[1]}`)).status).toBe(204);
    const second = cursorPage(await scim.get(`${path}&cursor=${first.nextCursor}`));
    expect(namesOf([second])).toEqual([`${local}.3@example.test`, `${local}.4@example.test`]);
    expect(second.totalResults).toBe(4);
  });

  it('answers POST /Users/.search with cursors in the body', async () => {
    const search = (cursor: string) =>
      scim.post('/Users/.search', {
        schemas: [SEARCH_URN],
        filter: `userName sw "${prefix}."`,
        sortBy: 'userName',
        attributes: ['userName'],
        cursor,
        count: 6,
      });
    const first = cursorPage(await search(''));
    expect(namesOf([first])).toEqual(names.slice(0, 6));
    expect(Object.keys(first.Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const second = cursorPage(await search(first.nextCursor));
    expect(namesOf([second])).toEqual(names.slice(6));
    expect(second).not.toHaveProperty('nextCursor');
  });

  it('leaves index paging as it was: startIndex, no cursors', async () => {
    const res = await scim.get(`/Users?filter=${filter()}&sortBy=userName&startIndex=4&count=3`);
    expect(res.body).toMatchObject({ startIndex: 4, itemsPerPage: 3, totalResults: 10 });
    expect(res.body).not.toHaveProperty('nextCursor');
    expect(namesOf([res.body])).toEqual(names.slice(3, 6));
  });

  describe('refuses a cursor it did not issue for this query with 400 invalidCursor', () => {
    let cursor: string;
    const path = () => `/Users?filter=${filter()}&sortBy=userName&count=3`;

    beforeAll(async () => {
      cursor = cursorPage(await scim.get(`${path()}&cursor=`)).nextCursor;
    });

    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

    it.each([
      ['made up', () => 'abc'],
      ['made up with a dot', () => 'eyJhIjoxfQ.AAAAAAAAAAAAAAAAAAAAAA'],
      ['its body altered', () => flip(cursor, 2)],
      ['its MAC altered', () => flip(cursor, cursor.length - 3)],
      ['cut short', () => cursor.slice(0, -4)],
      ['too long', () => cursor + 'A'.repeat(2000)],
      ['with characters outside the unreserved set', () => encodeURIComponent(cursor + '+/=')],
    ])('%s', async (_label, make) => {
      expectScimError(await scim.get(`${path()}&cursor=${make()}`), 400, 'invalidCursor');
    });

    it.each([
      [
        'another filter',
        () => `/Users?filter=${filter()}%20and%20active%20eq%20true&sortBy=userName&count=3`,
      ],
      ['another sortBy', () => `/Users?filter=${filter()}&sortBy=displayName&count=3`],
      ['another sortOrder', () => `/Users?filter=${filter()}&sortBy=userName&sortOrder=descending&count=3`],
      ['no filter', () => '/Users?sortBy=userName&count=3'],
      ['another resource type', () => '/Groups?sortBy=displayName&count=3'],
    ])('for %s', async (_label, other) => {
      expectScimError(await scim.get(`${other()}&cursor=${cursor}`), 400, 'invalidCursor');
    });

    it('from another account, even for the same query', async () => {
      const other = await createAccount(roster);
      const otherScim = scimClient(roster, other.token);
      expectScimError(await otherScim.get(`${path()}&cursor=${cursor}`), 400, 'invalidCursor');
    });

    it('with a changed count it still pages (count is not part of the query)', async () => {
      const page = cursorPage(
        await scim.get(`/Users?filter=${filter()}&sortBy=userName&count=5&cursor=${cursor}`),
      );
      expect(namesOf([page])).toEqual(names.slice(3, 8));
    });

    it('a cursor that is not a string in a .search body', async () => {
      const res = await scim.post('/Users/.search', { schemas: [SEARCH_URN], cursor: 12 });
      expectScimError(res, 400, 'invalidCursor');
    });
  });

  it('refuses startIndex with a cursor (400 invalidValue) and count=0 with a cursor (400 invalidCount)', async () => {
    expectScimError(await scim.get(`/Users?startIndex=1&cursor=`), 400, 'invalidValue');
    expectScimError(await scim.get(`/Users?count=0&cursor=`), 400, 'invalidCount');
  });
});

describe('cursor paging of /Groups (RFC 9865)', () => {
  it('walks every group once, without members when they are excluded', async () => {
    const prefix = unique('cg');
    const member = await createUser(scim, aUser(`${unique('cgm')}@example.test`));
    const names: string[] = [];
    for (let n = 1; n <= 7; n++) {
      names.push(`${prefix} ${n}`);
      await createGroup(scim, `${prefix} ${n}`, [member.id]);
    }
    const filter = encodeURIComponent(`displayName sw "${prefix}"`);
    const pages = await walkForward(
      `/Groups?filter=${filter}&sortBy=displayName&count=3&excludedAttributes=members`,
    );
    expect(pages.flatMap((p) => (p.Resources as Json[]).map((g) => g.displayName))).toEqual(names);
    expect(pages.flatMap((p) => p.Resources as Json[]).some((g) => 'members' in g)).toBe(false);

    const withMembers = cursorPage(
      await scim.get(`/Groups?filter=${filter}&sortBy=displayName&count=2&cursor=`),
    );
    expect(withMembers.Resources[0].members).toEqual([expect.objectContaining({ value: member.id })]);
  });
});

describe('GET /ServiceProviderConfig pagination (RFC 9865 §4)', () => {
  it('advertises cursor and index paging, index by default, with the page sizes', async () => {
    const res = await scim.get('/ServiceProviderConfig');
    expect(res.body.pagination).toEqual({
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: roster.config.scim.maxResults,
      maxPageSize: roster.config.scim.maxResults,
    });
  });
});
