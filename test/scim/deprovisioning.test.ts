/**
 * Leavers lose access in the same transaction, whichever channel noticed, and deleted users leave a tombstone: the audit log still names them, and the same
 * person provisioned again gets the same id back.
 */
import {
  apiClient,
  aUser,
  createAccount,
  patchOp,
  scimClient,
  startRoster,
  type TestAccount,
  type TestRoster,
} from '../support/roster';
import { createGroup, ENTERPRISE_URN, uniqueEmail, USER_URN } from './scim-helpers';

let roster: TestRoster;
beforeAll(async () => {
  roster = await startRoster();
});
afterAll(() => roster.stop());

async function setUp() {
  const account = await createAccount(roster);
  return { account, scim: scimClient(roster, account.token) };
}

async function memberWithKey(account: TestAccount, scim: ReturnType<typeof scimClient>, extra = {}) {
  const userName = uniqueEmail('leaver');
  const id = (await scim.post('/Users', aUser(userName, extra)).expect(201)).body.id as string;
  await roster.services.roles.assign(account.operator, id, 'analyst');
  const key = (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret;
  const api = apiClient(roster, key);
  await api.post('/authorize', { user: id, permission: 'campaigns.view' }).expect(200);
  return { id, userName, api };
}

async function events(account: TestAccount, action: string, subject?: string) {
  return (await roster.services.audit.list(account.operator, { action, subjectId: subject })).events;
}

test('SCIM deactivation revokes the member keys in the same change, audited with its channel; coming back does not revive them', async () => {
  const { account, scim } = await setUp();
  const leaver = await memberWithKey(account, scim);
  await scim
    .patch(`/Users/${leaver.id}`, patchOp({ op: 'replace', path: 'active', value: false }))
    .expect(200);
  await leaver.api.post('/authorize', { user: leaver.id, permission: 'campaigns.view' }).expect(401);
  expect(await events(account, 'api_key.revoked', leaver.id)).toEqual([
    expect.objectContaining({
      channel: 'scim',
      actorKind: 'scim-token',
      after: { keys: 1, reason: 'deactivated' },
    }),
  ]);
  await scim
    .patch(`/Users/${leaver.id}`, patchOp({ op: 'replace', path: 'active', value: true }))
    .expect(200);
  await leaver.api.post('/authorize', { user: leaver.id, permission: 'campaigns.view' }).expect(401);
});

test('deactivation by an operator revokes the keys the same way, audited as the operator', async () => {
  const { account, scim } = await setUp();
  const leaver = await memberWithKey(account, scim);
  await roster.services.users.modify(account.operator, leaver.id, (u) => ({ ...u, active: false }));
  await leaver.api.post('/authorize', { user: leaver.id, permission: 'campaigns.view' }).expect(401);
  expect(await events(account, 'api_key.revoked', leaver.id)).toEqual([
    expect.objectContaining({ channel: 'cli', actorKind: 'operator' }),
  ]);
});

test('losing the last mapped group revokes the keys in the same change', async () => {
  const { account, scim } = await setUp();
  const userName = uniqueEmail('grouped');
  const id = (await scim.post('/Users', aUser(userName)).expect(201)).body.id as string;
  const group = await createGroup(scim, `Analysts ${id.slice(0, 6)}`, [id]);
  await roster.services.mappings.add(account.operator, {
    matchKind: 'id',
    matchValue: group.id,
    roleKey: 'analyst',
  });
  const api = apiClient(
    roster,
    (await roster.services.apiKeys.issueForMember(account.operator, userName)).secret,
  );
  await api.post('/authorize', { user: id, permission: 'campaigns.view' }).expect(200);
  await scim.delete(`/Groups/${group.id}`).expect(204);
  expect(await events(account, 'api_key.revoked', id)).toEqual([
    expect.objectContaining({ channel: 'scim', after: { keys: 1, reason: 'lost_role' } }),
  ]);
  await api.post('/authorize', { user: id, permission: 'campaigns.view' }).expect(401);
});

test('a deleted user is still named in the audit log, and the same externalId brings back the same id', async () => {
  const { account, scim } = await setUp();
  const leaver = await memberWithKey(account, scim, { externalId: 'okta-00u1' });
  await scim.delete(`/Users/${leaver.id}`).expect(204);
  const deleted = await events(account, 'user.deleted', leaver.id);
  expect(deleted[0]).toMatchObject({ subjectName: leaver.userName });
  const roleEvents = await events(account, 'user.role_changed', leaver.id);
  expect(roleEvents.map((e) => e.subjectName)).toEqual([leaver.userName]);

  const back = await scim.post('/Users', aUser(leaver.userName, { externalId: 'okta-00u1' })).expect(201);
  expect(back.body.id).toBe(leaver.id);
  const provisioned = await events(account, 'user.provisioned', leaver.id);
  expect(provisioned[0].before).toMatchObject({ userName: leaver.userName });
  // A fresh start: no role or keys come back with the id.
  await leaver.api.post('/authorize', { user: leaver.id, permission: 'campaigns.view' }).expect(401);
  expect((await scim.get(`/Users/${leaver.id}`)).body).toMatchObject({
    userName: leaver.userName,
    active: true,
  });
});

test('the same employee number brings back the same id when the externalId changed', async () => {
  const { scim } = await setUp();
  const enterprise = { schemas: [USER_URN, ENTERPRISE_URN], [ENTERPRISE_URN]: { employeeNumber: 'E-4711' } };
  const first = await scim
    .post('/Users', aUser(uniqueEmail('rehire'), { ...enterprise, externalId: 'old-idp' }))
    .expect(201);
  await scim.delete(`/Users/${first.body.id}`).expect(204);
  const again = await scim
    .post('/Users', aUser(uniqueEmail('rehire'), { ...enterprise, externalId: 'new-idp' }))
    .expect(201);
  expect(again.body.id).toBe(first.body.id);
  const stranger = await scim
    .post('/Users', aUser(uniqueEmail('stranger'), { externalId: 'old-idp' }))
    .expect(201);
  expect(stranger.body.id).not.toBe(first.body.id);
});
