import type { Actor } from '../../src/domain/actor';
import type { UserId } from '../../src/domain/ids';
import { aUser, createAccount, scimClient, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster({ ROLE_CATALOGUE: 'granular' });
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
  counter += 1;
  const userName = `perm${counter}@example.test`;
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  const service = await roster.services.apiKeys.issueService(account.operator);
  const serviceActor = await roster.services.apiKeys.authenticate(service.secret);
  const may = async (permission: string) =>
    (await roster.services.authorization.authorize(serviceActor, id, permission)).allowed;
  return { account, owner, id, may };
}

test('a grant whose prerequisite is missing is refused naming both; with it, it works (003)', async () => {
  const { owner, id, may } = await setUp();
  await roster.services.roles.assign(owner, id, 'viewer');
  await expect(
    roster.services.roles.setPermissions(owner, id, {
      mode: 'role',
      granted: ['approve_campaigns'],
      restricted: [],
    }),
  ).rejects.toMatchObject({
    kind: 'invalid',
    code: 'permissions.prerequisite_missing',
    message: expect.stringMatching(/approve_campaigns requires send_without_approval/),
  });
  expect(await may('approve_campaigns')).toBe(false);
  await roster.services.roles.setPermissions(owner, id, {
    mode: 'role',
    granted: ['approve_campaigns', 'send_without_approval', 'sender'],
    restricted: [],
  });
  expect(await may('approve_campaigns')).toBe(true);
});

test('a restriction that would orphan a granted permission is refused; a clean one takes effect', async () => {
  const { owner, id, may } = await setUp();
  await roster.services.roles.assign(owner, id, 'manager');
  expect(await may('contacts')).toBe(true);
  await expect(
    roster.services.roles.setPermissions(owner, id, { mode: 'role', granted: [], restricted: ['contacts'] }),
  ).rejects.toMatchObject({
    code: 'permissions.prerequisite_missing',
    message: expect.stringContaining('contacts'),
  });
  await roster.services.roles.setPermissions(owner, id, {
    mode: 'role',
    granted: [],
    restricted: ['contacts', 'contact_exporter'],
  });
  expect(await may('contacts')).toBe(false);
  expect(await may('contact_exporter')).toBe(false);
});

test('allow all and allow none at once; the Owner cannot be restricted', async () => {
  const { account, owner, id, may } = await setUp();
  await roster.services.roles.setPermissions(owner, id, { mode: 'all', granted: [], restricted: [] });
  expect(await may('manage_account')).toBe(true);
  await roster.services.roles.setPermissions(owner, id, { mode: 'none', granted: [], restricted: [] });
  expect(await may('analytics')).toBe(false);
  await expect(
    roster.services.roles.setPermissions(owner, account.ownerId, {
      mode: 'none',
      granted: [],
      restricted: [],
    }),
  ).rejects.toMatchObject({ code: 'permissions.owner_unrestrictable' });
});

test('the access policy applies overrides: a Viewer granted roles.assign (and what it requires) may assign roles', async () => {
  const { account, owner, id } = await setUp();
  await roster.services.roles.assign(owner, id, 'viewer');
  const viewer: Actor = {
    kind: 'member',
    accountId: account.accountId,
    userId: id as UserId,
    channel: 'admin-api',
  };
  const scim = scimClient(roster, account.token);
  const other = (await scim.post('/Users', aUser(`target${counter}@example.test`)).expect(201)).body
    .id as string;
  await expect(roster.services.roles.assign(viewer, other, 'analyst')).rejects.toMatchObject({
    kind: 'forbidden',
  });
  await roster.services.roles.setPermissions(owner, id, {
    mode: 'role',
    granted: ['manage_account', 'roles.assign', 'users.view'],
    restricted: [],
  });
  await roster.services.roles.assign(viewer, other, 'analyst');
  expect((await roster.services.roles.roleOf(account.operator, other)).roleKey).toBe('analyst');
});
