import { apiClient, aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

const dayMs = 24 * 60 * 60_000;
/** A clock the test moves: expiry is tested by moving time, never by sleeping. */
let now = Date.parse('2026-11-23T12:00:00Z');
const clock = { now: () => now };

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster({}, { clock });
});
afterAll(() => roster.stop());

let counter = 0;
async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const keyFor = async (role: string) => {
    counter += 1;
    const userName = `support-test${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await roster.services.roles.assign(account.operator, id, role);
    return {
      id,
      userName,
      key: (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret,
    };
  };
  const api = (key: string) => apiClient(roster, key);
  const admin = await keyFor('admin');
  const analyst = await keyFor('analyst');
  const session = async (agent = 'Sam from Support') =>
    (await roster.services.support.openSession(account.operator, agent)).secret;
  return { account, api, admin, analyst, session };
}

test('an Admin grants access for 7 days; the grant shows who granted it and when it ends', async () => {
  const { api, admin } = await setUp();
  const created = await api(admin.key).post('/support-access', { days: 7 }).expect(201);
  expect(created.body).toMatchObject({
    grantedBy: admin.userName,
    status: 'active',
    expires: new Date(now + 7 * dayMs).toISOString(),
    ended: null,
  });
  const listed = await api(admin.key).get('/support-access').expect(200);
  expect(listed.body.grants).toEqual([created.body]);
});

test('only 1, 7, 30 or 90 days, or a date in the next 90 days; an Analyst may not grant', async () => {
  const { api, admin, analyst } = await setUp();
  expect((await api(admin.key).post('/support-access', { days: 3 })).status).toBe(400);
  const far = new Date(now + 91 * dayMs).toISOString();
  expect((await api(admin.key).post('/support-access', { until: far })).body.error.code).toBe(
    'support_access.until_too_far',
  );
  const past = new Date(now - 1000).toISOString();
  expect((await api(admin.key).post('/support-access', { until: past })).body.error.code).toBe(
    'support_access.until_past',
  );
  const denied = await api(analyst.key).post('/support-access', { days: 1 }).expect(403);
  expect(denied.body.error.code).toBe('access.denied');
  expect((await api(admin.key).get('/support-access')).body.grants).toEqual([]);
});

test('no session without a grant; under one, support reads but never changes users or roles', async () => {
  const { account, api, admin, analyst, session } = await setUp();
  await expect(session()).rejects.toMatchObject({ code: 'support_access.no_grant' });
  await api(admin.key).post('/support-access', { days: 1 }).expect(201);
  const support = api(await session());
  expect((await support.get('/members').expect(200)).body.members.length).toBe(3);
  const refusals = [
    await support.put(`/members/${analyst.id}/role`, { role: 'support' }),
    await support.put(`/members/${analyst.id}/permissions`, { mode: 'all', granted: [], restricted: [] }),
    await support.delete(`/members/${analyst.id}`),
    await support.post('/mappings', { group: { by: 'displayName', value: 'X' }, role: 'support' }),
    await support.post('/support-access', { days: 90 }),
    await support.post('/account/ownership-transfer', { to: analyst.id }),
  ];
  expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
  expect((await api(admin.key).get(`/members/${analyst.id}`)).body.role).toBe('analyst');
  const audit = await roster.services.audit.list(account.operator, {
    action: 'support_access.session_opened',
  });
  expect(audit.events[0].after).toMatchObject({ agent: 'Sam from Support' });
});

test('revoking ends support at once; a session is bound to its own account', async () => {
  const { api, admin, session } = await setUp();
  const other = await setUp();
  const grant = (await api(admin.key).post('/support-access', { days: 30 })).body.id as string;
  const secret = await session();
  await api(secret).get('/members').expect(200);
  await api(secret).get(`/members/${other.admin.id}`).expect(404);
  const revoked = await api(admin.key).delete(`/support-access/${grant}`).expect(200);
  expect(revoked.body.status).toBe('revoked');
  const refused = await api(secret).get('/members').expect(401);
  expect(refused.body.error.code).toBe('support_session.invalid');
  expect((await api(admin.key).delete(`/support-access/${grant}`)).status).toBe(409);
});

test('a grant ends by itself; the sweep records the expiry once, however often it runs', async () => {
  const { account, api, admin, session } = await setUp();
  await api(admin.key).post('/support-access', { days: 1 }).expect(201);
  const secret = await session();
  await api(secret).get('/members').expect(200);
  now += dayMs + 1;
  await api(secret).get('/members').expect(401);
  const first = await roster.jobs.run('support-access-expiry');
  expect(first).toMatchObject({ ran: true });
  expect(first.ran && first.outcome).toMatch(/^[1-9]\d* support grants? expired$/);
  const again = await roster.jobs.run('support-access-expiry');
  expect(again).toEqual({ ran: true, job: 'support-access-expiry', outcome: '0 support grants expired' });
  const events = await roster.services.audit.list(account.operator, { action: 'support_access.expired' });
  expect(events.events).toHaveLength(1);
  expect(events.events[0]).toMatchObject({ actorKind: 'system', channel: 'job' });
  expect((await api(admin.key).get('/support-access')).body.grants[0].status).toBe('expired');
});

test('a new grant replaces the running one', async () => {
  const { api, admin } = await setUp();
  await api(admin.key).post('/support-access', { days: 1 }).expect(201);
  await api(admin.key).post('/support-access', { days: 90 }).expect(201);
  const grants = (await api(admin.key).get('/support-access')).body.grants as { status: string }[];
  expect(grants.map((g) => g.status)).toEqual(['active', 'replaced']);
});
