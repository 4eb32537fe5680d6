/**
 * The inactivity sweep (shared/seeds/004: review users with no login for 90 days). Logins are real
 * signed SAML responses from the test IdP; time moves on an injected clock, never by sleeping.
 */
import request from 'supertest';
import {
  apiClient,
  aUser,
  createAccount,
  PUBLIC_URL,
  scimClient,
  startRoster,
  type TestRoster,
} from '../support/roster';
import { TestIdp } from '../support/test-idp';

const dayMs = 24 * 60 * 60_000;
let now = Date.parse('2026-06-01T09:00:00Z');
const clock = { now: () => now };

let roster: TestRoster;
let idp: TestIdp;
beforeAll(async () => {
  roster = await startRoster({}, { clock });
  idp = await TestIdp.start('okta');
});
afterAll(() => roster.stop());

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  await roster.services.sso.configure(account.operator, { metadataXml: idp.metadataXml() }, {});
  const base = `${PUBLIC_URL}/sso/${account.accountId}`;
  const scim = scimClient(roster, account.token);
  const user = async (role = 'analyst') => {
    counter += 1;
    const userName = `quiet${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await roster.services.roles.assign(account.operator, id, role);
    return { id, userName };
  };
  const signIn = async (userName: string) => {
    const SAMLResponse = idp.response({
      nameId: userName,
      acsUrl: `${base}/acs`,
      audience: `${base}/metadata`,
      now,
    });
    const res = await request(roster.app)
      .post(`/sso/${account.accountId}/acs`)
      .type('form')
      .send({ SAMLResponse });
    expect(res.status).toBeLessThan(400);
  };
  const admin = await user('admin');
  const adminApi = apiClient(
    roster,
    (await roster.services.apiKeys.issueForMember(account.operator, admin.userName)).secret,
  );
  return { account, scim, user, signIn, admin, adminApi };
}

const sweep = () => roster.jobs.run('inactivity');

test('after 90 days without a login a user is flagged for review once; signing in clears the flag', async () => {
  const { account, user, signIn, admin, adminApi } = await setUp();
  const quiet = await user();
  const busy = await user();
  await signIn(quiet.userName);
  now += 60 * dayMs;
  await signIn(busy.userName);
  await signIn(admin.userName);
  now += 31 * dayMs; // quiet: 91 days since login; busy and admin: 31
  await sweep();
  const review = (await adminApi.get('/inactivity').expect(200)).body;
  expect(review).toMatchObject({ days: 90, action: 'flag' });
  const flaggedNames = review.flagged.map((u: { userName: string }) => u.userName);
  expect(flaggedNames).toContain(quiet.userName);
  expect(flaggedNames).not.toContain(busy.userName);
  expect((await adminApi.get(`/members/${quiet.id}`)).body.status).toBe('active');
  await sweep();
  const events = await roster.services.audit.list(account.operator, {
    action: 'user.flagged_inactive',
    subjectId: quiet.id,
  });
  expect(events.events).toHaveLength(1);
  expect(events.events[0]).toMatchObject({ actorKind: 'system', channel: 'job' });

  await signIn(quiet.userName);
  await sweep();
  const after = (await adminApi.get('/inactivity')).body.flagged.map((u: { userName: string }) => u.userName);
  expect(after).not.toContain(quiet.userName);
});

test('an account that chose deactivation loses its inactive users, keys included; the Owner is only flagged', async () => {
  const { account, user, signIn, admin, adminApi } = await setUp();
  await adminApi.put('/inactivity', { days: 30, action: 'deactivate' }).expect(200);
  const quiet = await user();
  const quietKey = apiClient(
    roster,
    (await roster.services.apiKeys.issueForMember(account.operator, quiet.userName)).secret,
  );
  await quietKey.post('/authorize', { user: quiet.id, permission: 'campaigns.view' }).expect(200);
  now += 31 * dayMs;
  await signIn(admin.userName);
  const outcome = await sweep();
  // The sweep covers every account of this database; the summary counts them all.
  expect(outcome.ran && outcome.outcome).toMatch(/^\d+ flagged for review, [1-9]\d* deactivated$/);
  expect((await adminApi.get(`/members/${quiet.id}`)).body.status).toBe('inactive');
  await quietKey.post('/authorize', { user: quiet.id, permission: 'campaigns.view' }).expect(401);
  expect((await adminApi.get(`/members/${account.ownerId}`)).body.status).toBe('active');
  const flagged = (await adminApi.get('/inactivity')).body.flagged.map((u: { userId: string }) => u.userId);
  expect(flagged).toEqual([account.ownerId]);
  const deactivated = await roster.services.audit.list(account.operator, {
    action: 'user.deactivated',
    subjectId: quiet.id,
  });
  expect(deactivated.events[0]).toMatchObject({ actorKind: 'system', channel: 'job' });
});

test('a user who never signed in counts from when they were created; only Owners and Admins change the setting', async () => {
  const { user, adminApi, account } = await setUp();
  const fresh = await user('analyst');
  now += 89 * dayMs;
  await sweep();
  expect(
    (await adminApi.get('/inactivity')).body.flagged.map((u: { userId: string }) => u.userId),
  ).not.toContain(fresh.id);
  now += 2 * dayMs;
  await sweep();
  expect((await adminApi.get('/inactivity')).body.flagged.map((u: { userId: string }) => u.userId)).toContain(
    fresh.id,
  );

  const analystKey = (await roster.services.apiKeys.issueForMember(account.operator, fresh.userName)).secret;
  expect(
    (await apiClient(roster, analystKey).put('/inactivity', { days: 30, action: 'deactivate' })).status,
  ).toBe(403);
  expect((await adminApi.put('/inactivity', { days: 3, action: 'flag' })).body.error.code).toBe(
    'inactivity.days_invalid',
  );
});
