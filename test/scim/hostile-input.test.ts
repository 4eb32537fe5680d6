import request from 'supertest';
import { listen, type RawServer } from '../support/raw-http';
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
  ERROR_URN,
  expectScimError,
  getUser,
  GROUP_URN,
  listUsers,
  unique,
  uniqueEmail,
  USER_URN,
} from './scim-helpers';

/** Hostile SCIM input, class by class: each gets a 400 (never a 5xx), and nothing is stored. */
let roster: TestRoster;
let account: TestAccount;
let scim: ScimClient;
let server: RawServer;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  scim = scimClient(roster, account.token);
  server = await listen(roster.app);
});
afterAll(async () => {
  await server.close();
  await roster.stop();
});

const auth = () => ({ Authorization: `Bearer ${account.token}`, 'Content-Type': 'application/scim+json' });
/** A body sent exactly as written (JSON.stringify never writes `__proto__` as a key, nor 50,000 brackets). */
const raw = (method: 'post' | 'put' | 'patch', path: string, text: string) =>
  request(roster.app)[method](`/scim/v2${path}`).set(auth()).send(text);

async function userCount(): Promise<number> {
  return (await scim.get('/Users?count=0')).body.totalResults as number;
}

describe('names from the request are never looked up on Object.prototype', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('sortBy=%s is a 400', async (key) => {
    for (const resource of ['Users', 'Groups']) {
      expectScimError(await scim.get(`/${resource}?sortBy=${key}`), 400, 'invalidValue');
    }
  });

  it('a SearchRequest whose parameters are objects, not strings, is a 400', async () => {
    const body = { filter: { toString: 'x' }, sortBy: 'userName', count: { valueOf: 1 } };
    expectScimError(await scim.post('/Users/.search', body), 400, 'invalidValue');
    const attributes = { attributes: { toString: 'x' } };
    expectScimError(await scim.post('/Users/.search', attributes), 400, 'invalidSyntax');
  });

  it('a filter or PATCH path naming a prototype key is refused', async () => {
    const filter = encodeURIComponent('constructor eq "x"');
    expectScimError(await scim.get(`/Users?filter=${filter}`), 400, 'invalidFilter');
    const { id } = await createUser(scim, aUser(uniqueEmail('proto')));
    const res = await scim.patch(
      `/Users/${id}`,
      patchOp({ op: 'add', path: 'name.constructor', value: 'x' }),
    );
    expectScimError(res, 400, 'invalidPath');
  });

  it('a `__proto__` key in a body is an unknown attribute, not a prototype: refused, nothing stored', async () => {
    const before = await userCount();
    const userName = uniqueEmail('proto');
    const body = JSON.stringify(aUser(userName)).replace(
      '"emails":[{',
      '"emails":[{"value":"b@example.test","primary":true},{"__proto__":{"primary":true},',
    );
    expectScimError(await raw('post', '/Users', body), 400, 'invalidValue');
    expect(await userCount()).toBe(before);
  });

  it('a pathless PATCH carrying `__proto__` changes nothing', async () => {
    const user = await createUser(scim, aUser(uniqueEmail('proto')));
    const text = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"__proto__":{"title":"Polluted"}}}]}`;
    expectScimError(await raw('patch', `/Users/${user.id}`, text), 400, 'invalidPath');
    expect((await getUser(scim, user.id)).title).toBeUndefined();
    expect(({} as Record<string, unknown>).title).toBeUndefined();
  });
});

describe('a path that is not percent-encoded UTF-8 is a 400, before any lookup', () => {
  it.each(['%ff', '%', '%zz', '%e0%80', '%ed%a0%80', 'a%'])('%s', async (segment) => {
    for (const [method, path] of [
      ['GET', `/scim/v2/Users/${segment}`],
      ['DELETE', `/scim/v2/Groups/${segment}`],
      ['PATCH', `/scim/v2/Users/${segment}`],
      ['GET', `/scim/v2/Schemas/${segment}`],
      ['GET', `/scim/v2/ResourceTypes/${segment}`],
    ]) {
      const res = await server.send(method, path, auth(), method === 'PATCH' ? '{}' : undefined);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(res.text)).toMatchObject({ schemas: [ERROR_URN], status: '400' });
    }
  });
});

describe('deep JSON is refused before it is walked', () => {
  const depth = 50_000;
  it.each([
    ['an array', '['.repeat(depth) + ']'.repeat(depth)],
    ['an object', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)],
    [
      'a User whose name nests',
      `{"schemas":["${USER_URN}"],"userName":"deep","name":${'{"a":'.repeat(depth)}1${'}'.repeat(depth + 1)}`,
    ],
  ])('%s 50,000 levels deep is a 400', async (_what, text) => {
    const before = await userCount();
    const res = await raw('post', '/Users', text);
    expect(expectScimError(res, 400, 'invalidSyntax').detail).toMatch(/nested deeper than 32/);
    expect(await userCount()).toBe(before);
  });

  it('in a PATCH and a .search too', async () => {
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const { id } = await createUser(scim, aUser(uniqueEmail('deep')));
    const patch = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title","value":${nested}}]}`;
    expectScimError(await raw('patch', `/Users/${id}`, patch), 400, 'invalidSyntax');
    expectScimError(await raw('post', '/Users/.search', `{"filter":${nested}}`), 400, 'invalidSyntax');
  });
});

describe('a value of the wrong type is a 400 that names the attribute', () => {
  it('an extension given as a 1 MB string, at once and without storing anything', async () => {
    const before = await userCount();
    const started = Date.now();
    const res = await scim.post('/Users', {
      ...aUser(uniqueEmail('ext')),
      [ENTERPRISE_URN]: 'x'.repeat(1_000_000),
    });
    expect(expectScimError(res, 400, 'invalidValue').detail).toContain(ENTERPRISE_URN);
    // scimmy's coercion spent 4 to 10 s on this; the shape check is linear (generous bound).
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await userCount()).toBe(before);
  });

  it.each([
    ['title', { nested: true }],
    ['name', 'Just A String'],
    ['emails', { value: 'one@example.test' }],
    ['phoneNumbers', [{ value: { number: 1 } }]],
    ['active', 'maybe'],
  ])('%s given as %j', async (attr, value) => {
    const res = await scim.post('/Users', { ...aUser(uniqueEmail('type')), [attr]: value });
    expect(expectScimError(res, 400, 'invalidValue').detail).toContain(attr);
  });
});

describe('every string has a bound, the same on SQLite and MariaDB', () => {
  it('a 1 MB title is refused; 1,024 characters are kept', async () => {
    const big = await scim.post('/Users', aUser(uniqueEmail('title'), { title: 't'.repeat(1_000_000) }));
    expect(expectScimError(big, 400, 'invalidValue').detail).toMatch(/^title /);
    const over = await scim.post('/Users', aUser(uniqueEmail('title'), { title: 't'.repeat(1025) }));
    expect(expectScimError(over, 400, 'invalidValue').detail).toMatch(/title.*1024/);
    const ok = await createUser(scim, aUser(uniqueEmail('title'), { title: 't'.repeat(1024) }));
    expect(ok.title).toHaveLength(1024);
  });

  it('userName, externalId and names: 255 characters (not UTF-16 units) are kept, 256 refused', async () => {
    const emoji = '\u{1F600}'.repeat(255);
    const kept = await createUser(scim, aUser(emoji, { externalId: emoji, displayName: emoji }));
    expect(kept.userName).toBe(emoji);
    for (const extra of [
      { userName: 'u'.repeat(256) },
      { externalId: 'e'.repeat(256) },
      { name: { givenName: 'g'.repeat(256) } },
    ]) {
      const res = await scim.post('/Users', { ...aUser(uniqueEmail('long')), ...extra });
      expect(expectScimError(res, 400, 'invalidValue').detail).toMatch(/longer than 255/);
    }
  });

  it('a group externalId or displayName of 300 characters is a 400, not a database error', async () => {
    const res = await scim.post('/Groups', {
      schemas: [GROUP_URN],
      displayName: unique('g'),
      externalId: 'x'.repeat(300),
    });
    expect(expectScimError(res, 400, 'invalidValue').detail).toMatch(/externalId is longer than 255/);
    const long = await scim.post('/Groups', { schemas: [GROUP_URN], displayName: 'd'.repeat(300) });
    expectScimError(long, 400, 'invalidValue');
    const { id } = await createGroup(scim, unique('g'));
    const patch = await scim.patch(
      `/Groups/${id}`,
      patchOp({ op: 'replace', path: 'externalId', value: 'x'.repeat(300) }),
    );
    expectScimError(patch, 400, 'invalidValue');
  });

  it('more than 100 values of a multi-valued attribute are refused', async () => {
    const emails = Array.from({ length: 30_000 }, (_, i) => ({ value: `e${i}@example.test` }));
    expectScimError(await scim.post('/Users', aUser(uniqueEmail('many'), { emails })), 400, 'invalidValue');
  });

  it('text with a lone surrogate is refused', async () => {
    const res = await raw(
      'post',
      '/Users',
      JSON.stringify(aUser(uniqueEmail('sur'))).replace('"Test"', '"Te\\ud800st"'),
    );
    expect(expectScimError(res, 400, 'invalidValue').detail).toMatch(/lone surrogate/);
  });
});

describe('schemas the server does not have', () => {
  it('a User naming an unknown schema, or carrying an unknown extension, is a 400', async () => {
    const named = await scim.post('/Users', {
      ...aUser(uniqueEmail('sch')),
      schemas: [USER_URN, 'urn:example:custom:2.0:User'],
    });
    expect(expectScimError(named, 400, 'invalidValue').detail).toContain('urn:example:custom:2.0:User');
    const carried = await scim.post('/Users', {
      ...aUser(uniqueEmail('sch')),
      'urn:example:custom:2.0:User': { shoeSize: 44 },
    });
    expectScimError(carried, 400, 'invalidValue');
  });

  it('a Group naming an unknown schema is a 400', async () => {
    const res = await scim.post('/Groups', {
      schemas: [GROUP_URN, 'urn:example:custom:2.0:Group'],
      displayName: unique('g'),
    });
    expectScimError(res, 400, 'invalidValue');
  });
});

describe('discovery endpoints', () => {
  it.each(['post', 'put', 'patch', 'delete'] as const)('answer %s with 405 and Allow', async (method) => {
    for (const path of [
      '/Schemas',
      '/ResourceTypes',
      '/ServiceProviderConfig',
      `/Schemas/${USER_URN}`,
      '/ResourceTypes/User',
    ]) {
      const res = await request(roster.app)[method](`/scim/v2${path}`).set(auth()).send('{}');
      expect({ path, status: res.status }).toEqual({ path, status: 405 });
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it("/Schemas lists externalId for User and Group (Microsoft's validator looks it up there)", async () => {
    for (const urn of [USER_URN, GROUP_URN]) {
      const schema = (await request(roster.app).get(`/scim/v2/Schemas/${urn}`)).body;
      expect(schema.attributes).toContainEqual(
        expect.objectContaining({
          name: 'externalId',
          type: 'string',
          caseExact: true,
          mutability: 'readWrite',
        }),
      );
    }
  });

  it('a filter on externalId still finds users (it is an attribute like the others)', async () => {
    const externalId = unique('ext');
    await createUser(scim, aUser(uniqueEmail('ext'), { externalId }));
    expect(await listUsers(scim, `externalId eq "${externalId}"`)).toHaveLength(1);
  });
});
