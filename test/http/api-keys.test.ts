import { apiKeySchema } from '../../src/adapters/http/api/api-key-routes';
import { apiClient, aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

/** A clock the test moves, so created and last-used times are exact. */
let now = Date.parse('2026-12-01T09:00:00Z');
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
  const member = async (role: string) => {
    counter += 1;
    const userName = `keys${counter}@example.test`;
    const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
    await roster.services.roles.assign(account.operator, id, role);
    const issued = await roster.services.apiKeys.issueForMember(account.operator, userName, `${role} key`);
    return {
      id,
      userName,
      keyId: issued.key.id,
      secret: issued.secret,
      api: apiClient(roster, issued.secret),
    };
  };
  return { account, member };
}

test('an Admin lists the keys with created and last-used times, never a secret; revoking one kills it at once, audited', async () => {
  const { account, member } = await setUp();
  const admin = await member('admin');
  now += 1000;
  const analyst = await member('analyst');
  now += 1000;
  const created = now;
  const service = await roster.services.apiKeys.issueService(account.operator, 'backend');
  now += 60_000;
  await apiClient(roster, service.secret).get('/account').expect(200);
  now += 60_000;

  const listed = await admin.api.get('/api-keys').expect(200);
  const keys = listed.body.apiKeys.map((k: unknown) => apiKeySchema.parse(k));
  expect(keys).toEqual([
    expect.objectContaining({ id: admin.keyId, kind: 'member', userId: admin.id, userName: admin.userName }),
    expect.objectContaining({
      id: analyst.keyId,
      kind: 'member',
      userName: analyst.userName,
      lastUsed: null,
    }),
    expect.objectContaining({
      id: service.key.id,
      kind: 'service',
      userId: null,
      label: 'backend',
      created: new Date(created).toISOString(),
      lastUsed: new Date(created + 60_000).toISOString(),
      revoked: null,
    }),
  ]);
  const text = JSON.stringify(listed.body);
  for (const secret of [admin.secret, analyst.secret, service.secret])
    expect(text).not.toContain(secret.slice(4));
  for (const key of listed.body.apiKeys)
    expect(Object.keys(key).sort()).toEqual(Object.keys(apiKeySchema.shape).sort());

  await analyst.api.get('/me').expect(200);
  const revoked = await admin.api.delete(`/api-keys/${analyst.keyId}`).expect(200);
  expect(revoked.body).toMatchObject({ id: analyst.keyId, revoked: new Date(now).toISOString() });
  expect((await analyst.api.get('/me').expect(401)).body.error.code).toBe('api_key.invalid');
  await admin.api.delete(`/api-keys/${analyst.keyId}`).expect(404);

  const { events } = await roster.services.audit.list(account.operator, { action: 'api_key.revoked' });
  expect(events[0]).toMatchObject({
    subjectType: 'api_key',
    subjectId: analyst.keyId,
    channel: 'admin-api',
    actorId: admin.id,
    after: { kind: 'member', userId: analyst.id, reason: 'revoked' },
  });
});

test("the Owner may too; a Manager, the service key (for revoking), a support agent, and an Admin for the Owner's keys may not", async () => {
  const { account, member } = await setUp();
  const manager = await member('manager');
  const target = await member('analyst');
  const service = apiClient(roster, (await roster.services.apiKeys.issueService(account.operator)).secret);
  const support = async () => {
    await roster.services.support.grant(account.operator, { days: 7 });
    return apiClient(roster, (await roster.services.support.openSession(account.operator, 'Sam')).secret);
  };
  const agent = await support();

  expect((await manager.api.get('/api-keys').expect(403)).body.error.code).toBe('access.denied');
  await manager.api.delete(`/api-keys/${target.keyId}`).expect(403);
  await service.get('/api-keys').expect(200);
  await service.delete(`/api-keys/${target.keyId}`).expect(403);
  await agent.get('/api-keys').expect(403);
  await agent.delete(`/api-keys/${target.keyId}`).expect(403);
  await target.api.get('/me').expect(200);

  const ownerName = (await roster.services.members.get(account.operator, account.ownerId)).userName;
  const owner = apiClient(
    roster,
    (await roster.services.apiKeys.issueForMember(account.operator, ownerName)).secret,
  );
  await owner.delete(`/api-keys/${target.keyId}`).expect(200);
  await target.api.get('/me').expect(401);
});

test("another account's key is not found, listed nor revoked", async () => {
  const mine = await setUp();
  const theirs = await setUp();
  const admin = await mine.member('admin');
  const foreign = await theirs.member('analyst');
  const listed = (await admin.api.get('/api-keys').expect(200)).body.apiKeys as { id: string }[];
  expect(listed.map((k) => k.id)).not.toContain(foreign.keyId);
  expect((await admin.api.delete(`/api-keys/${foreign.keyId}`).expect(404)).body.error.code).toBe(
    'api_key.not_found',
  );
  await admin.api.delete('/api-keys/not-a-key-id').expect(404);
  await foreign.api.get('/me').expect(200);
});
