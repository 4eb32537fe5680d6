import request from 'supertest';
import { listen, type RawServer } from '../support/raw-http';
import { apiClient, aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';
import { TestIdp } from '../support/test-idp';

/** Hostile input on /api/v1: a 400 with a stable code, never a 5xx, and nothing stored. */
let roster: TestRoster;
let server: RawServer;
let key: string;
let userId: string;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  roster = await startRoster();
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const owner = (await scim.get(`/Users/${account.ownerId}`)).body.userName as string;
  key = (await roster.services.apiKeys.issueForMember(account.operator, owner)).secret;
  userId = (await scim.post('/Users', aUser('api-hostile@example.test')).expect(201)).body.id as string;
  api = apiClient(roster, key);
  server = await listen(roster.app);
});
afterAll(async () => {
  await server.close();
  await roster.stop();
});

test.each(['%ff', '%', '%e0%80', '%ed%a0%80'])('a path segment %s is a 400 request.bad_path', async (bad) => {
  const auth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
  for (const [method, path, body] of [
    ['GET', `/api/v1/members/${bad}`],
    ['GET', `/api/v1/members/${bad}/access`],
    ['PUT', `/api/v1/members/${bad}/role`, '{"role":"admin"}'],
    ['PUT', `/api/v1/members/${userId}/access/${bad}`, '{"access":false}'],
    ['GET', `/api/v1/mappings/${bad}`],
    ['DELETE', `/api/v1/support-access/${bad}`],
    ['POST', `/api/v1/invitations/${bad}/resend`],
  ] as const) {
    const res = await server.send(method, path, auth, body);
    expect({ path, status: res.status }).toEqual({ path, status: 400 });
    expect(JSON.parse(res.text).error.code).toBe('request.bad_path');
  }
});

test('a JSON body nested 50,000 levels is a 400 request.too_deep', async () => {
  // 100 kB: within the API's 256 kB limit, so the depth check is what refuses it.
  const deep = `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
  for (const path of ['/api/v1/mappings', '/api/v1/authorize', '/api/v1/children']) {
    const res = await request(roster.app)
      .post(path)
      .set({ Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' })
      .send(deep);
    expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
      path,
      status: 400,
      code: 'request.too_deep',
    });
  }
});

test('a child account name longer than its column (200) is a 400 on both databases', async () => {
  const before = (await api.get('/children').expect(200)).body.children.length;
  const res = await api.post('/children', { name: 'n'.repeat(201) }).expect(400);
  expect(res.body.error).toEqual({
    code: 'account.value_too_long',
    message: 'name is longer than 200 characters',
  });
  expect((await api.get('/children').expect(200)).body.children).toHaveLength(before);
  await api.post('/children', { name: 'n'.repeat(200) }).expect(201);
});

test('a mapped group name longer than 255 characters is a 400', async () => {
  const res = await api
    .post('/mappings', { group: { by: 'externalId', value: 'x'.repeat(256) }, role: 'analyst' })
    .expect(400);
  expect(res.body.error.code).toBe('mapping.value_too_long');
  expect((await api.get('/mappings').expect(200)).body.mappings).toEqual([]);
});

test('an IdP entity id or SSO URL longer than its column is a 400, not a database error', async () => {
  const idp = await TestIdp.start('okta');
  const manual = { entityId: 'https://idp.test/x', ssoUrl: 'https://idp.test/sso', certificates: [idp.cert] };
  const longId = await api
    .put('/sso', { ...manual, entityId: `https://idp.test/${'e'.repeat(1100)}` })
    .expect(400);
  expect(longId.body.error.code).toBe('sso.value_too_long');
  const longUrl = await api
    .put('/sso', { ...manual, ssoUrl: `https://idp.test/${'s'.repeat(2100)}` })
    .expect(400);
  expect(longUrl.body.error.code).toBe('sso.value_too_long');
  expect((await api.get('/sso').expect(200)).body.idp).toBeNull();
});

test('names from the request never reach Object.prototype: roles, permissions, query keys', async () => {
  for (const role of ['constructor', '__proto__', 'toString']) {
    const res = await api.put(`/members/${userId}/role`, { role }).expect(400);
    expect(res.body.error.code).toBe('role.unknown');
  }
  const answer = await api.post('/authorize', { user: userId, permission: 'constructor' }).expect(400);
  expect(answer.body.error.code).toBeDefined();
  await api.get('/members?__proto__=1&constructor=x').expect(400);
});
