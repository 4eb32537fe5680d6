import {
  apiClient,
  aUser,
  createAccount,
  scimClient,
  startRoster,
  type TestAccount,
  type TestRoster,
} from '../support/roster';

/** The rule book seen from the API: the holes it closes and what GET /me tells a console. */
let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

let counter = 0;

async function setUp() {
  const account = await createAccount(roster);
  const scim = scimClient(roster, account.token);
  const op = account.operator;
  const person = async (role: string | null) => {
    counter += 1;
    const userName = `rules${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    if (role) await roster.services.roles.assign(op, id, role);
    const key = (await roster.services.apiKeys.issueForMember(op, userName)).secret;
    return { id, userName, api: apiClient(roster, key) };
  };
  const ownerUserName = (await roster.services.members.get(op, account.ownerId)).userName;
  const owner = apiClient(roster, (await roster.services.apiKeys.issueForMember(op, ownerUserName)).secret);
  return { account, op, person, owner };
}

async function supportSession(account: TestAccount) {
  await roster.services.support.grant(account.operator, { days: 7 });
  return apiClient(roster, (await roster.services.support.openSession(account.operator, 'Sam')).secret);
}

test('a support session cannot change the inactivity sweep, so the next sweep deactivates nobody', async () => {
  const { account, owner, person } = await setUp();
  await person('analyst');
  const support = await supportSession(account);
  const refused = await support.put('/inactivity', { days: 7, action: 'deactivate' }).expect(403);
  expect(refused.body.error).toMatchObject({ code: 'access.denied' });
  expect((await owner.get('/inactivity').expect(200)).body).toMatchObject({ days: 90, action: 'flag' });
  // Support reads what the settings screens show, and nothing it may not see.
  await support.get('/inactivity').expect(200);
  await support.get('/members').expect(200);
  await support.get('/sso').expect(403);
  const before = (await owner.get('/members?status=active').expect(200)).body.members.length;
  await roster.jobs.run('inactivity');
  expect((await owner.get('/members?status=active').expect(200)).body.members.length).toBe(before);
});

test('an Admin stripped of every permission who is made Owner holds every permission; the transfer clears the overrides', async () => {
  const { owner, person, account } = await setUp();
  const admin = await person('admin');
  await owner
    .put(`/members/${admin.id}/permissions`, { mode: 'none', granted: [], restricted: [] })
    .expect(200);
  await admin.api.get('/members').expect(403);
  await owner.post('/account/ownership-transfer', { to: admin.id }).expect(200);

  const members = await admin.api.get('/members').expect(200);
  expect(members.body.members.length).toBeGreaterThan(1);
  const me = (await admin.api.get(`/members/${admin.id}`).expect(200)).body;
  expect(me).toMatchObject({ role: 'owner', overrides: { mode: 'role', granted: [], restricted: [] } });
  expect(me.permissions).toEqual(expect.arrayContaining(['users.view', 'account.close', 'roles.assign']));
  const audit = await roster.services.audit.list(account.operator, { action: 'user.permissions_changed' });
  expect(audit.events[0]).toMatchObject({
    subjectId: admin.id,
    before: { mode: 'none' },
    after: { mode: 'role', reason: 'became_owner' },
  });
  // Nobody, the new Owner included, may restrict the Owner again.
  const again = await admin.api.put(`/members/${admin.id}/permissions`, {
    mode: 'none',
    granted: [],
    restricted: [],
  });
  expect(again.status).toBe(403);
  expect(again.body.error.code).toBe('permissions.owner_unrestrictable');
});

test('GET /me says what each caller may do, from the rule book', async () => {
  const { account, owner, person } = await setUp();
  const admin = await person('admin');
  const analyst = await person('analyst');
  const serviceKey = (await roster.services.apiKeys.issueService(account.operator)).secret;
  const support = await supportSession(account);

  const ownerMe = (await owner.get('/me').expect(200)).body;
  expect(ownerMe.caller).toEqual({ kind: 'member', agent: null });
  expect(ownerMe.actions).toEqual(
    expect.arrayContaining(['ownership.transfer', 'account.close', 'users.edit']),
  );
  expect(ownerMe.actions).not.toContain('api_keys.issue');

  const adminMe = (await admin.api.get('/me').expect(200)).body;
  expect(adminMe.actions).toEqual(expect.arrayContaining(['users.edit', 'member.role.set', 'mappings.edit']));
  expect(adminMe.actions).not.toContain('ownership.transfer');
  expect(adminMe.actions).not.toContain('account.close');

  const analystMe = (await analyst.api.get('/me').expect(200)).body;
  expect(analystMe.actions).toEqual(['authorize', 'sign_in']);

  const serviceMe = (await apiClient(roster, serviceKey).get('/me').expect(200)).body;
  expect(serviceMe).toMatchObject({ caller: { kind: 'service', agent: null }, user: null, permissions: [] });
  expect(serviceMe.actions).toEqual(expect.arrayContaining(['users.view', 'audit.view', 'authorize']));
  expect(serviceMe.actions).not.toContain('users.edit');

  const supportMe = (await support.get('/me').expect(200)).body;
  expect(supportMe.caller).toEqual({ kind: 'support', agent: 'Sam' });
  expect(supportMe.actions).toEqual(expect.arrayContaining(['users.view', 'audit.view']));
  expect(supportMe.actions).not.toContain('sso.view');
  expect(supportMe.actions).not.toContain('account.edit_details');
});
