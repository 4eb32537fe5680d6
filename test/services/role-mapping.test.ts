import type { UserId } from '../../src/domain/ids';
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

let roster: TestRoster;
let account: TestAccount;
let scim: ScimClient;

beforeAll(async () => {
  roster = await startRoster();
  account = await createAccount(roster);
  scim = scimClient(roster, account.token);
});
afterAll(() => roster.stop());

let counter = 0;
async function user(): Promise<string> {
  counter += 1;
  return (await scim.post('/Users', aUser(`member${counter}@example.test`)).expect(201)).body.id;
}
async function group(displayName: string, members: string[] = [], externalId?: string): Promise<string> {
  const res = await scim.post('/Groups', {
    displayName,
    externalId,
    members: members.map((value) => ({ value })),
  });
  expect(res.status).toBe(201);
  return res.body.id;
}
async function roleOf(userId: string) {
  const stored = await roster.uow.read((tx) => tx.roles.stored(account.accountId, [userId as UserId]));
  const effective = stored.get(userId as UserId)?.effective;
  return {
    role: effective?.roleKey ?? null,
    source: effective?.source ?? null,
    group: effective?.groupName ?? null,
  };
}
const map = (matchKind: 'id' | 'externalId' | 'displayName', matchValue: string, roleKey: string) =>
  roster.services.mappings.add(account.operator, { matchKind, matchValue, roleKey });
const auditOf = async (userId: string) =>
  (await roster.uow.read((tx) => tx.audit.list(account.accountId, { limit: 10_000 }))).filter(
    (e) => e.subjectId === userId && e.action === 'user.role_changed',
  );

test('mapping a group by displayName gives its members the role, case-insensitively, and audits it', async () => {
  const alice = await user();
  await group('Marketing Analysts', [alice]);
  expect(await roleOf(alice)).toEqual({ role: null, source: null, group: null });
  await map('displayName', 'marketing analysts', 'analyst');
  expect(await roleOf(alice)).toEqual({ role: 'analyst', source: 'group', group: 'Marketing Analysts' });
  const events = await auditOf(alice);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    channel: 'cli',
    before: { role: null },
    after: { role: 'analyst', source: 'group' },
  });
});

test('a user in several mapped groups gets the strongest role, and moving between groups moves it', async () => {
  const bob = await user();
  const admins = await group('Admins', []);
  const creators = await group('Creators', [bob]);
  await map('id', admins, 'admin');
  await map('id', creators, 'content_creator');
  expect((await roleOf(bob)).role).toBe('content_creator');
  await scim
    .patch(`/Groups/${admins}`, patchOp({ op: 'add', path: 'members', value: [{ value: bob }] }))
    .expect(204);
  expect(await roleOf(bob)).toMatchObject({ role: 'admin', group: 'Admins' });
  await scim
    .patch(`/Groups/${admins}`, patchOp({ op: 'remove', path: `members[value eq "${bob}"]` }))
    .expect(204);
  expect(await roleOf(bob)).toMatchObject({ role: 'content_creator', group: 'Creators' });
});

test('Entra removing a user from the last mapped group removes their role', async () => {
  const carol = await user();
  const support = await group('Support Desk', [carol], 'entra-object-id-1');
  await map('externalId', 'entra-object-id-1', 'support');
  expect((await roleOf(carol)).role).toBe('support');
  await scim
    .patch(
      `/Groups/${support}`,
      patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: carol }] }),
    )
    .expect(204);
  expect(await roleOf(carol)).toEqual({ role: null, source: null, group: null });
});

test('renaming a group onto or off a displayName mapping recomputes every member', async () => {
  const dan = await user();
  const erin = await user();
  const g = await group('Temp', [dan, erin]);
  await map('displayName', 'Campaigns', 'campaign_coordinator');
  await scim
    .patch(`/Groups/${g}`, patchOp({ op: 'Replace', path: 'displayName', value: 'Campaigns' }))
    .expect(204);
  expect((await roleOf(dan)).role).toBe('campaign_coordinator');
  expect((await roleOf(erin)).role).toBe('campaign_coordinator');
  await scim
    .patch(`/Groups/${g}`, patchOp({ op: 'Replace', path: 'displayName', value: 'Elsewhere' }))
    .expect(204);
  expect((await roleOf(dan)).role).toBeNull();
});

test('deleting a mapped group, or the mapping, removes the role it gave', async () => {
  const fay = await user();
  const gus = await user();
  const managers = await group('Managers', [fay, gus]);
  const mapping = await map('id', managers, 'manager');
  expect((await roleOf(fay)).role).toBe('manager');
  await roster.services.mappings.remove(account.operator, mapping.id);
  expect((await roleOf(fay)).role).toBeNull();
  await map('id', managers, 'manager');
  expect((await roleOf(gus)).role).toBe('manager');
  await scim.delete(`/Groups/${managers}`).expect(204);
  expect((await roleOf(gus)).role).toBeNull();
});

test('no mapping may grant the Owner role, and nothing changes when it is refused', async () => {
  const g = await group('Would-be owners', []);
  const before = (await roster.services.mappings.list(account.operator)).length;
  await expect(map('id', g, 'owner')).rejects.toMatchObject({
    kind: 'invalid',
    code: 'mapping.owner_role_refused',
  });
  await expect(map('id', g, 'wizard')).rejects.toMatchObject({
    kind: 'invalid',
    code: 'mapping.role_unknown',
  });
  expect(await roster.services.mappings.list(account.operator)).toHaveLength(before);
});

test('the Owner stays Owner whatever groups they are in', async () => {
  const g = await group('Owners too', [account.ownerId]);
  await map('id', g, 'support');
  expect(await roleOf(account.ownerId)).toMatchObject({ role: 'owner', source: 'owner' });
});

test('a group can be mapped once; a second mapping of it is a conflict', async () => {
  const g = await group('Mapped once', []);
  await map('id', g, 'analyst');
  await expect(map('id', g, 'manager')).rejects.toMatchObject({
    kind: 'conflict',
    code: 'mapping.group_already_mapped',
  });
});

test('a SCIM token cannot change mappings', async () => {
  const g = await group('Token-proof', []);
  const tokenActor = await roster.services.tokens.authenticate(account.token);
  await expect(
    roster.services.mappings.add(tokenActor, { matchKind: 'id', matchValue: g, roleKey: 'analyst' }),
  ).rejects.toMatchObject({ kind: 'forbidden' });
});

test('mappings of another account never apply here', async () => {
  const other = await createAccount(roster);
  const hal = await user();
  await group('Shared Name', [hal]);
  await roster.services.mappings.add(other.operator, {
    matchKind: 'displayName',
    matchValue: 'Shared Name',
    roleKey: 'admin',
  });
  expect((await roleOf(hal)).role).toBeNull();
});

describe('the Roster SCIM extension shows the role, read-only', () => {
  const ROSTER = 'urn:roster:params:scim:schemas:extension:2.0:User';

  test('GET and list show the role, its source and its group; a client cannot set them', async () => {
    const ivy = await user();
    const g = await group('Analysts Ext', [ivy]);
    await map('id', g, 'analyst');
    const got = await scim.get(`/Users/${ivy}`).expect(200);
    expect(got.body.schemas).toContain(ROSTER);
    expect(got.body[ROSTER]).toEqual({
      role: 'Analyst',
      roleKey: 'analyst',
      roleSource: 'group',
      roleGroup: 'Analysts Ext',
      mfaEnforced: false,
    });
    const listed = await scim.get(`/Users?filter=${encodeURIComponent(`id eq "${ivy}"`)}`).expect(200);
    expect(listed.body.Resources[0][ROSTER]).toMatchObject({ role: 'Analyst', roleSource: 'group' });

    const { id: _id, meta: _meta, ...body } = got.body;
    await scim.put(`/Users/${ivy}`, { ...body, [ROSTER]: { role: 'Admin', roleKey: 'admin' } }).expect(200);
    expect((await roleOf(ivy)).role).toBe('analyst');
    expect((await scim.get(`/Users/${ivy}`)).body[ROSTER].roleKey).toBe('analyst');
  });

  test('the Owner shows as Owner', async () => {
    const owner = await scim.get(`/Users/${account.ownerId}`).expect(200);
    expect(owner.body[ROSTER]).toMatchObject({ role: 'Owner', roleSource: 'owner' });
  });
});
