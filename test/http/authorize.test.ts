import request from 'supertest';
import type { Actor } from '../../src/domain/actor';
import type { UserId } from '../../src/domain/ids';
import { aUser, createAccount, patchOp, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const owner: Actor = {
    kind: 'member',
    accountId: account.accountId,
    userId: account.ownerId as UserId,
    channel: 'cli',
  };
  const person = async (roleKey: string | null) => {
    counter += 1;
    const userName = `api${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    if (roleKey) await roster.services.roles.assign(owner, id, roleKey);
    return { id, userName };
  };
  const memberKey = async (userName: string) =>
    (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret;
  const serviceKey = (await roster.services.apiKeys.issueService(account.operator)).secret;
  const authorize = (key: string, body: object) =>
    request(roster.app).post('/api/v1/authorize').set('Authorization', `Bearer ${key}`).send(body);
  return { account, scim, person, memberKey, serviceKey, authorize };
}

test('a member key answers for its own user from their role', async () => {
  const { person, memberKey, authorize } = await setUp();
  const analyst = await person('analyst');
  const key = await memberKey(analyst.userName);
  expect(key).toMatch(/^rak_/);
  const allowed = await authorize(key, { user: analyst.id, permission: 'flows.export_analytics' }).expect(
    200,
  );
  expect(allowed.body).toEqual({ allowed: true, role: 'analyst', reason: 'granted_by_role' });
  const denied = await authorize(key, {
    user: analyst.userName.toUpperCase(),
    permission: 'flows.edit_components',
  });
  expect(denied.body).toEqual({ allowed: false, role: 'analyst', reason: 'not_granted_by_role' });
});

test('the service key answers for anyone of its account, and never for another account', async () => {
  const { person, serviceKey, authorize } = await setUp();
  const creator = await person('content_creator');
  const nobody = await person(null);
  expect((await authorize(serviceKey, { user: creator.id, permission: 'campaigns.send' })).body).toEqual({
    allowed: false,
    role: 'content_creator',
    reason: 'not_granted_by_role',
  });
  expect((await authorize(serviceKey, { user: nobody.id, permission: 'dashboard.view' })).body).toMatchObject(
    {
      allowed: false,
      reason: 'no_role',
    },
  );
  const other = await setUp();
  const foreign = await other.person('admin');
  expect((await authorize(serviceKey, { user: foreign.id, permission: 'dashboard.view' })).body).toEqual({
    allowed: false,
    role: null,
    reason: 'user_not_found',
  });
});

test('a deactivated user is refused at once, and their own key dies with their access', async () => {
  const { scim, person, memberKey, serviceKey, authorize } = await setUp();
  const leaver = await person('manager');
  const key = await memberKey(leaver.userName);
  const allowed = await authorize(key, { user: leaver.id, permission: 'dashboard.view' }).expect(200);
  expect(allowed.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Number(allowed.headers['content-length'])).toBe(Buffer.byteLength(allowed.text));
  await scim.patch(`/Users/${leaver.id}`, patchOp({ op: 'replace', value: { active: false } })).expect(200);
  expect((await authorize(serviceKey, { user: leaver.id, permission: 'dashboard.view' })).body).toMatchObject(
    {
      allowed: false,
      reason: 'user_inactive',
    },
  );
  const dead = await authorize(key, { user: leaver.id, permission: 'dashboard.view' });
  expect(dead.status).toBe(401);
  expect(dead.body.error.code).toBe('api_key.invalid');
});

test('a member key cannot ask about someone else; bad requests get JSON errors with stable codes', async () => {
  const { person, memberKey, authorize } = await setUp();
  const a = await person('analyst');
  const b = await person('analyst');
  const key = await memberKey(a.userName);
  const other = await authorize(key, { user: b.id, permission: 'dashboard.view' });
  expect(other.status).toBe(403);
  expect(other.body).toEqual({ error: { code: 'authorize.self_only', message: expect.any(String) } });
  const unknown = await authorize(key, { user: a.id, permission: 'rockets.launch' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.code).toBe('permission.unknown');
  const invalid = await authorize(key, { user: a.id });
  expect(invalid.status).toBe(400);
  expect(invalid.body.error.code).toBe('request.invalid');
  const missing = await request(roster.app).post('/api/v1/authorize').send({ user: a.id, permission: 'x' });
  expect(missing.status).toBe(401);
  expect(missing.body.error.code).toBe('api_key.missing');
});
